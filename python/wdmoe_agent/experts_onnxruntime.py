# The onnxruntime backend: one InferenceSession per held expert shard (any expert graph: x [rows, hidden] →
# y), on the CUDA execution provider when onnxruntime-gpu offers it, else the CPU one; the provider a
# session really got is what the agent reports. Same accumulation as the Node agent. Imports onnxruntime
# and numpy; used by __main__.py through experts.py.
from __future__ import annotations

from typing import Dict, List, Tuple

import numpy as np

from .bundle import Bundle, bundle_error
from .errors import EXIT_BAD_INPUT, AgentError
from .frames import NO_EXPERT, RunFrame


class OnnxRuntimeExperts:
    """The held experts as onnxruntime sessions; apply() is called from the agent's single compute thread."""

    def __init__(self, bundle: Bundle, keys: List[str], accelerator: str, threads: int) -> None:
        import onnxruntime

        available = onnxruntime.get_available_providers()
        has_cuda = "CUDAExecutionProvider" in available
        if accelerator == "cuda" and not has_cuda:
            raise AgentError("agent-no-cuda", "CUDA was asked for (--accelerator cuda) but onnxruntime %s offers only %s" % (onnxruntime.__version__, ", ".join(available)),
                             exit_code=EXIT_BAD_INPUT, hint="install onnxruntime-gpu (JetPack: the Jetson Zoo wheel) or run with --accelerator cpu")
        providers = ["CUDAExecutionProvider", "CPUExecutionProvider"] if has_cuda and accelerator != "cpu" else ["CPUExecutionProvider"]
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.experts = keys
        self.hidden_size = bundle.hidden_size
        self._sessions: Dict[Tuple[int, int], object] = {}
        used = set()
        for key in keys:
            layer, expert = (int(part) for part in key.split("."))
            path, data = bundle.read_verified("expert.%s" % key)
            try:
                session = onnxruntime.InferenceSession(data, sess_options=options, providers=providers)
            except Exception as error:
                raise bundle_error("bundle-corrupt", path, "onnxruntime cannot load it (%s)" % str(error).splitlines()[0])
            used.add(session.get_providers()[0])
            self._sessions[(layer, expert)] = session
        if accelerator == "cuda" and used != {"CUDAExecutionProvider"}:
            raise AgentError("agent-no-cuda", "onnxruntime fell back to %s for some experts" % ", ".join(sorted(used)), exit_code=EXIT_BAD_INPUT,
                             hint="check the CUDA/cuDNN libraries onnxruntime-gpu needs, or run with --accelerator cpu")
        self.execution_provider = "cuda" if used == {"CUDAExecutionProvider"} else "cpu"
        self.device_label = ", ".join(sorted(used)) or providers[0]
        self.versions = {"onnxruntime": onnxruntime.__version__}

    def apply(self, work: RunFrame) -> np.ndarray:
        if work.hidden != self.hidden_size:
            raise ValueError("model file expert.%d.*: request has hidden %d, model has %d" % (work.layer, work.hidden, self.hidden_size))
        flat = work.experts.reshape(-1)
        weights = work.weights.reshape(-1)
        output = np.zeros((work.rows, work.hidden), dtype=np.float32)
        order: List[int] = []
        for expert in flat.tolist():
            if expert != NO_EXPERT and expert not in order:
                order.append(expert)
        for expert in order:
            session = self._sessions.get((work.layer, expert))
            if session is None:
                raise ValueError("model file expert.%d.%d: is not loaded on this device" % (work.layer, expert))
            slots = np.nonzero(flat == expert)[0]
            rows = slots // work.k
            y = session.run(["y"], {"x": np.ascontiguousarray(work.states[rows])})[0]  # type: ignore[attr-defined]
            np.add.at(output, rows, y * weights[slots][:, None])
        return output

    def close(self) -> None:
        self._sessions.clear()
