# What the Python agent says about its device (protocol v2): the runtime info JSON of WELCOME (runtime,
# engine, the execution provider that actually runs, OS, arch, glibc, Jetson board) and the telemetry
# JSON of WELCOME and every STATS (thermal zones, clocks, power mode, throttling). A port of
# src/agent/device-monitor.ts and device-sysfs.ts, same keys and same sysfs files; `nvpmodel -q` and
# `jetson_clocks --show` run only on a Jetson, at start and every 10 s on a background thread, so a STATS
# reply never waits on a process. Energy counters come from energy.py's sampler (null: no power rails).
# Standard library only. Used by server.py / connection.py.
from __future__ import annotations

import os
import platform
import re
import subprocess
import threading
import time
from typing import Any, Dict, List, Optional

from .energy import EnergySampler
from .sysfs import list_sorted as _list, read_number as _read_number, read_text as _read_text

SCHEMA = 1
THERMAL_DIR = "sys/devices/virtual/thermal"
GPU_DEVFREQ = re.compile(r"gpu|ga10b|gv11b|gp10b|gm20b")
REFRESH_S = 10.0
COMMAND_TIMEOUT_S = 3.0


def read_thermal(root: str) -> Dict[str, Any]:
    """Thermal zones: type → °C, and whether one is at/above its first passive trip point."""
    temperatures: Dict[str, float] = {}
    has_trips = False
    at_trip = False
    for zone in _list(root, THERMAL_DIR, r"^thermal_zone\d+$"):
        directory = os.path.join(THERMAL_DIR, zone)
        milli = _read_number(root, os.path.join(directory, "temp"))
        if milli is None or milli <= -255_000:
            continue
        name = _read_text(root, os.path.join(directory, "type")) or zone
        temperatures[name if name not in temperatures else "%s-%s" % (name, zone)] = milli / 1000
        for trip in _list(root, directory, r"^trip_point_\d+_type$"):
            if _read_text(root, os.path.join(directory, trip)) != "passive":
                continue
            trip_milli = _read_number(root, os.path.join(directory, trip.replace("_type", "_temp")))
            if trip_milli is None or trip_milli <= 0:
                continue
            has_trips = True
            if milli >= trip_milli:
                at_trip = True
    return {"temperaturesC": temperatures or None, "isAtPassiveTrip": at_trip if has_trips else None}


def read_frequencies(root: str) -> Dict[str, Optional[int]]:
    """CPU (cpufreq, kHz; max over cores) and GPU (devfreq, Hz) clocks; None where the kernel exposes none."""
    def maximum(values: List[Optional[int]]) -> Optional[int]:
        present = [value for value in values if value is not None]
        return max(present) if present else None

    cpus = [os.path.join("sys/devices/system/cpu", cpu, "cpufreq") for cpu in _list(root, "sys/devices/system/cpu", r"^cpu\d+$")]
    gpus = _list(root, "sys/class/devfreq", GPU_DEVFREQ.pattern)
    gpu = os.path.join("sys/class/devfreq", gpus[0]) if gpus else None
    return {
        "cpuCurKHz": maximum([_read_number(root, os.path.join(d, "scaling_cur_freq")) for d in cpus]),
        "cpuMaxKHz": maximum([_read_number(root, os.path.join(d, "scaling_max_freq")) for d in cpus]),
        "gpuCurHz": None if gpu is None else _read_number(root, os.path.join(gpu, "cur_freq")),
        "gpuMaxHz": None if gpu is None else _read_number(root, os.path.join(gpu, "max_freq")),
    }


def read_jetson(root: str) -> Optional[Dict[str, Optional[str]]]:
    """The Jetson board (device-tree model, L4T release); None when this is not a Jetson."""
    model = _read_text(root, "proc/device-tree/model")
    release = _read_text(root, "etc/nv_tegra_release")
    if release is None and not (model is not None and re.search(r"jetson|tegra", model, re.I)):
        return None
    l4t = None
    if release is not None:
        match = re.search(r"#\s*R(\d+)\s*\(release\),\s*REVISION:\s*([\d.]+)", release)
        l4t = None if match is None else "R%s.%s" % (match.group(1), match.group(2))
    return {"model": model, "l4t": l4t}


def read_distro(root: str) -> Optional[str]:
    text = _read_text(root, "etc/os-release")
    match = None if text is None else re.search(r'^PRETTY_NAME="?([^"\n]*)"?$', text, re.M)
    return None if match is None else match.group(1)


def parse_nvpmodel(text: str) -> Optional[str]:
    match = re.search(r"NV Power Mode:\s*([^\r\n]+)", text)
    return None if match is None else match.group(1).strip()


def parse_jetson_clocks(text: str) -> Dict[str, Any]:
    """`jetson_clocks --show`: GPU/EMC clocks and whether every online core and the GPU are pinned (min == max)."""
    def clock(rest: str) -> Optional[Dict[str, int]]:
        values = [re.search(r"\b%s=(\d+)" % key, rest) for key in ("MinFreq", "MaxFreq", "CurrentFreq")]
        return None if any(v is None for v in values) else dict(zip(("min", "max", "cur"), (int(v.group(1)) for v in values)))  # type: ignore[union-attr]

    cpus: List[Dict[str, int]] = []
    gpu = emc = None
    for line in text.splitlines():
        cpu = re.match(r"^\s*(cpu\d+):(.*)$", line)
        if cpu is not None:
            found = clock(cpu.group(2))
            online = re.search(r"\bOnline=(\d+)", cpu.group(2))
            if found is not None and (online is None or online.group(1) != "0"):
                cpus.append(found)
        elif re.match(r"^\s*GPU\s", line):
            gpu = clock(line)
        elif re.match(r"^\s*EMC\s", line):
            emc = clock(line)
    pinned = None if not cpus else all(c["min"] == c["max"] for c in cpus) and (gpu is None or gpu["min"] == gpu["max"])
    return {"gpu": gpu, "emc": emc, "powerMode": parse_nvpmodel(text), "isJetsonClocksOn": pinned}


def _run(command: List[str]) -> Optional[str]:
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=COMMAND_TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode("utf-8", errors="replace") if done.returncode == 0 else None


def _glibc() -> Optional[str]:
    name, version = platform.libc_ver()
    return version if name == "glibc" and version else None


class DeviceDescriber:
    """runtime_info() for WELCOME, telemetry() for WELCOME and STATS."""

    def __init__(self, engine: str, engine_version: Optional[str], execution_provider: str, root: str = "/") -> None:
        self._root = root
        self._started = time.monotonic()
        self._jetson = read_jetson(root)
        self._tools: Dict[str, Any] = {"powerMode": None, "clocks": None}
        self._stop = threading.Event()
        self._energy = EnergySampler(root, is_jetson=self._jetson is not None)
        if self._jetson is not None:
            self._query_tools()
            threading.Thread(target=self._refresh, name="wdmoe-telemetry", daemon=True).start()
        machine = platform.machine()
        self._static = {
            "schema": SCHEMA, "runtime": "python", "runtimeVersion": platform.python_version(),
            "engine": engine, "engineVersion": engine_version, "executionProvider": execution_provider,
            "os": "%s %s" % (platform.system(), platform.release()), "distro": read_distro(root),
            "arch": {"x86_64": "x64", "aarch64": "arm64", "armv7l": "arm"}.get(machine, machine), "glibc": _glibc(),
            "jetson": self._jetson,
        }

    def _query_tools(self) -> None:
        mode = _run(["nvpmodel", "-q"])
        shown = _run(["jetson_clocks", "--show"])
        clocks = None if shown is None else parse_jetson_clocks(shown)
        power_mode = (None if mode is None else parse_nvpmodel(mode)) or (None if clocks is None else clocks["powerMode"])
        self._tools = {"powerMode": power_mode, "clocks": clocks}

    def _refresh(self) -> None:
        while not self._stop.wait(REFRESH_S):
            self._query_tools()

    def telemetry(self) -> Dict[str, Any]:
        thermal = read_thermal(self._root)
        frequencies = read_frequencies(self._root)
        shown = self._tools["clocks"]
        has_clocks = any(value is not None for value in frequencies.values()) or shown is not None
        gpu = None if shown is None else shown["gpu"]
        emc = None if shown is None else shown["emc"]
        return {
            "schema": SCHEMA,
            "uptimeMs": round((time.monotonic() - self._started) * 1000),
            "temperaturesC": thermal["temperaturesC"],
            "powerMode": self._tools["powerMode"],
            "clocks": {
                "cpuCurKHz": frequencies["cpuCurKHz"], "cpuMaxKHz": frequencies["cpuMaxKHz"],
                "gpuCurHz": frequencies["gpuCurHz"] if frequencies["gpuCurHz"] is not None else (None if gpu is None else gpu["cur"]),
                "gpuMaxHz": frequencies["gpuMaxHz"] if frequencies["gpuMaxHz"] is not None else (None if gpu is None else gpu["max"]),
                "emcCurHz": None if emc is None else emc["cur"],
                "isJetsonClocksOn": None if shown is None else shown["isJetsonClocksOn"],
            } if has_clocks else None,
            "isThrottled": thermal["isAtPassiveTrip"],
            "energy": self._energy.counters(),
        }

    def runtime_info(self) -> Dict[str, Any]:
        info = dict(self._static)
        info["telemetry"] = self.telemetry()
        return info

    def close(self) -> None:
        self._stop.set()
        self._energy.close()
