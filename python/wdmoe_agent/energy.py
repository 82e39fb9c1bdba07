# Power-rail energy for the Python agent (protocol v2 telemetry "energy"): a port of
# src/agent/energy-sampler.ts, same sources in the same order — INA3221 sysfs (JetPack 4 iio rail_name_N +
# in_powerN_input mW; JetPack 5+ hwmon inN_label + inN_input mV x currN_input mA), hwmon powerN_input uW,
# else on a Jetson a `tegrastats --interval` child — integrated by the trapezoidal rule over the monotonic
# clock into cumulative microjoules per rail. A daemon thread samples; counters() samples once more so a
# window ends when it is read. Standard library only. Used by telemetry.py.
from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from .sysfs import list_sorted as _list, read_number as _number, read_text as _text

UNCONNECTED = re.compile(r"^(NC|not connected|sum of shunt voltages)$", re.I)
RAIL = re.compile(r"(?:^|\s)([A-Z][A-Z0-9_]*) (\d+)(?:mW)?/(\d+)(?:mW)?(?=\s|$)")
TOTAL_RAILS = ("VDD_IN", "POM_5V_IN")


def discover_sysfs_rails(root: str) -> List[Tuple[str, str, Callable[[], Optional[float]]]]:
    """(name, source, read mW) for every power rail the board exposes in sysfs; [] where it has none."""
    rails: List[Tuple[str, str, Callable[[], Optional[float]]]] = []
    iio = "sys/bus/i2c/drivers/ina3221x"
    for chip in _list(root, iio, r"^\d+-[0-9a-f]+$"):
        for device in _list(root, os.path.join(iio, chip), r"^iio:device\d+$"):
            folder = os.path.join(iio, chip, device)
            for entry in _list(root, folder, r"^rail_name_\d+$"):
                name = _text(root, os.path.join(folder, entry))
                if name is None or UNCONNECTED.match(name):
                    continue
                file = os.path.join(folder, "in_power%s_input" % entry[len("rail_name_"):])
                rails.append((name, "ina3221", lambda file=file: _number(root, file)))
    hwmon = "sys/bus/i2c/drivers/ina3221"
    for chip in _list(root, hwmon, r"^\d+-[0-9a-f]+$"):
        for node in _list(root, os.path.join(hwmon, chip, "hwmon"), r"^hwmon\d+$"):
            folder = os.path.join(hwmon, chip, "hwmon", node)
            for entry in _list(root, folder, r"^in\d+_label$"):
                index = entry[2:-len("_label")]
                name = _text(root, os.path.join(folder, entry))
                if name is None or UNCONNECTED.match(name):
                    continue
                volts, amps = os.path.join(folder, "in%s_input" % index), os.path.join(folder, "curr%s_input" % index)

                def read(volts: str = volts, amps: str = amps) -> Optional[float]:
                    millivolts, milliamps = _number(root, volts), _number(root, amps)
                    return None if millivolts is None or milliamps is None else millivolts * milliamps / 1000
                rails.append((name, "ina3221", read))
    if rails:
        return rails
    for node in _list(root, "sys/class/hwmon", r"^hwmon\d+$"):
        folder = os.path.join("sys/class/hwmon", node)
        for entry in _list(root, folder, r"^power\d+_input$"):
            index = entry[len("power"):-len("_input")]
            name = _text(root, os.path.join(folder, "power%s_label" % index)) or "%s_power%s" % (_text(root, os.path.join(folder, "name")) or node, index)
            file = os.path.join(folder, entry)

            def read_microwatts(file: str = file) -> Optional[float]:
                microwatts = _number(root, file)
                return None if microwatts is None else microwatts / 1000
            rails.append((name, "hwmon", read_microwatts))
    return rails


def parse_tegrastats_rails(line: str) -> Dict[str, int]:
    """Current power per rail (mW) of one tegrastats line; RAM/SWAP totals are not rails."""
    return {match.group(1): int(match.group(2)) for match in RAIL.finditer(line) if match.group(1) not in ("RAM", "SWAP")}


class EnergyIntegrator:
    """Cumulative energy per rail from power samples (mW x ms = uJ, trapezoidal rule)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._rails: Dict[str, List[float]] = {}  # name -> [microjoules, milliwatts, at_ms]
        self._samples = 0
        self._lock = threading.Lock()

    def add(self, at_ms: float, rails_milliwatts: Dict[str, float]) -> None:
        with self._lock:
            for name, milliwatts in rails_milliwatts.items():
                rail = self._rails.get(name)
                if rail is None:
                    self._rails[name] = [0.0, float(milliwatts), at_ms]
                elif at_ms > rail[2]:
                    rail[0] += (rail[1] + milliwatts) / 2 * (at_ms - rail[2])
                    rail[1], rail[2] = float(milliwatts), at_ms
            self._samples += 1

    def counters(self) -> Optional[Dict[str, Any]]:
        with self._lock:
            if not self._rails:
                return None
            total = next((name for name in TOTAL_RAILS if name in self._rails), None)
            return {
                "source": self.source, "totalRail": total, "sampleCount": self._samples,
                "rails": {name: {"microjoules": round(rail[0]), "milliwatts": rail[1]} for name, rail in self._rails.items()},
            }


class EnergySampler:
    """Samples the rails in the background; counters() is None where the device has no power rails."""

    def __init__(self, root: str = "/", is_jetson: bool = False, interval_s: float = 0.05, now: Callable[[], float] = lambda: time.monotonic() * 1000) -> None:
        self._now = now
        self._stop = threading.Event()
        self._child: Optional[subprocess.Popen] = None
        self._rails = discover_sysfs_rails(root)
        self._integrator: Optional[EnergyIntegrator] = None
        if self._rails:
            self._integrator = EnergyIntegrator(self._rails[0][1])
            self._sample()
            threading.Thread(target=self._loop, args=(interval_s,), name="wdmoe-energy", daemon=True).start()
        elif is_jetson:
            try:
                self._child = subprocess.Popen(["tegrastats", "--interval", "100"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            except OSError:
                return  # no tegrastats: no counters
            self._integrator = EnergyIntegrator("tegrastats")
            threading.Thread(target=self._read_tegrastats, name="wdmoe-tegrastats", daemon=True).start()

    def _sample(self) -> None:
        reading = {}
        for name, _, read in self._rails:
            milliwatts = read()
            if milliwatts is not None:
                reading[name] = milliwatts
        self._integrator.add(self._now(), reading)  # type: ignore[union-attr]

    def _loop(self, interval_s: float) -> None:
        while not self._stop.wait(interval_s):
            self._sample()

    def _read_tegrastats(self) -> None:
        assert self._child is not None and self._child.stdout is not None
        for line in self._child.stdout:
            rails = parse_tegrastats_rails(line)
            if rails:
                self._integrator.add(self._now(), rails)  # type: ignore[union-attr]

    def counters(self) -> Optional[Dict[str, Any]]:
        if self._integrator is None:
            return None
        if self._rails:
            self._sample()  # the window ends now, not at the last tick
        return self._integrator.counters()

    def close(self) -> None:
        self._stop.set()
        if self._child is not None and self._child.poll() is None:
            self._child.terminate()
