# wdmoe's Python agent runtime: serves a device's experts over the wdmoe wire protocol v1 (docs/protocol.md)
# with PyTorch (CUDA when present, else CPU) or onnxruntime. Started as `python3 -m wdmoe_agent` by
# `wdmoe agent --runtime python` (src/agent/run-python-agent.ts); docs/runtime-python.md describes it.
__version__ = "0.1.0"

import sys as _sys

# Checked before any module with newer syntax is imported, so an old interpreter gets a clear error.
if _sys.version_info < (3, 8):
    _sys.stderr.write("error[agent-python-too-old]: the Python agent needs Python >= 3.8, this is %d.%d\n" % _sys.version_info[:2])
    _sys.stderr.write("hint: install Python 3.8+ (JetPack 4 ships 3.6: apt-get install python3.8) and point WDMOE_PYTHON at it\n")
    _sys.exit(2)
