# Reading a device's sysfs/procfs tree under a root ("/" on a device, a recorded tree in tests): text and
# integer files that may be missing, and directory listings in natural order (thermal_zone2 before
# thermal_zone10). Shared by telemetry.py and energy.py, as src/agent/device-sysfs.ts is by the Node agent.
from __future__ import annotations

import os
import re
from typing import List, Optional


def read_text(root: str, file: str) -> Optional[str]:
    try:
        with open(os.path.join(root, file), "r", encoding="utf-8", errors="replace") as handle:
            return handle.read().replace("\0", "").strip()
    except OSError:
        return None


def read_number(root: str, file: str) -> Optional[int]:
    text = read_text(root, file)
    return int(text) if text is not None and re.fullmatch(r"-?\d+", text) else None


def list_sorted(root: str, directory: str, pattern: str) -> List[str]:
    try:
        names = [name for name in os.listdir(os.path.join(root, directory)) if re.search(pattern, name)]
    except OSError:
        return []
    return sorted(names, key=lambda name: [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)])
