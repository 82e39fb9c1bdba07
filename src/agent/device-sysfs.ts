// Reads the device's state from sysfs/procfs: thermal zones (and their passive trip points), CPU
// cpufreq and GPU devfreq clocks, the board model and L4T release. Every path is under `root` ("/" on a
// device, a fixture tree in tests); a missing file reads as absent, never an error. Synchronous reads
// of small files (µs each), so a STATS reply can include them. Called by agent/device-monitor.ts.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseL4tRelease } from './jetson-parse.js';

// The text of a small file, trimmed (NULs too: device-tree strings end with one); undefined if absent.
export function readText(root: string, file: string): string | undefined {
  try {
    return readFileSync(path.join(root, file), 'utf8').replace(/\0/g, '').trim();
  } catch {
    return undefined;
  }
}

function readNumber(root: string, file: string): number | undefined {
  const text = readText(root, file);
  if (text === undefined || !/^-?\d+$/.test(text)) return undefined;
  return Number(text);
}

// Entries of a directory matching a pattern, sorted; [] if it is absent.
export function listEntries(root: string, directory: string, pattern: RegExp): string[] {
  try {
    return readdirSync(path.join(root, directory)).filter((name) => pattern.test(name)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  } catch {
    return [];
  }
}

export interface ThermalState {
  temperaturesC: Record<string, number> | null;
  isAtPassiveTrip: boolean | null; // some zone at/above its first passive trip point (the kernel throttles there)
}

const THERMAL_DIR = 'sys/devices/virtual/thermal';

// Thermal zones: type → °C (millidegrees in sysfs); zones reading ≤ -255 °C are sensors that are off.
export function readThermal(root: string): ThermalState {
  const zones = listEntries(root, THERMAL_DIR, /^thermal_zone\d+$/);
  const temperaturesC: Record<string, number> = {};
  let hasTrips = false;
  let isAtPassiveTrip = false;
  for (const zone of zones) {
    const dir = path.join(THERMAL_DIR, zone);
    const milli = readNumber(root, path.join(dir, 'temp'));
    if (milli === undefined || milli <= -255_000) continue;
    const name = readText(root, path.join(dir, 'type')) ?? zone;
    temperaturesC[temperaturesC[name] === undefined ? name : `${name}-${zone}`] = milli / 1000;
    for (const trip of listEntries(root, dir, /^trip_point_\d+_type$/)) {
      if (readText(root, path.join(dir, trip)) !== 'passive') continue;
      const tripMilli = readNumber(root, path.join(dir, trip.replace('_type', '_temp')));
      if (tripMilli === undefined || tripMilli <= 0) continue;
      hasTrips = true;
      if (milli >= tripMilli) isAtPassiveTrip = true;
    }
  }
  const hasZones = Object.keys(temperaturesC).length > 0;
  return { temperaturesC: hasZones ? temperaturesC : null, isAtPassiveTrip: hasTrips ? isAtPassiveTrip : null };
}

export interface FrequencyState {
  cpuCurKHz: number | null; // max over cores
  cpuMaxKHz: number | null; // max of the cores' current caps (scaling_max_freq)
  cpuHardwareMaxKHz: number | null; // cpuinfo_max_freq
  gpuCurHz: number | null;
  gpuMaxHz: number | null;
}

const GPU_DEVFREQ = /gpu|ga10b|gv11b|gp10b|gm20b/;

// CPU (cpufreq, kHz) and GPU (devfreq, Hz) clocks; null where the kernel exposes none.
export function readFrequencies(root: string): FrequencyState {
  const max = (values: Array<number | undefined>) => {
    const present = values.filter((v): v is number => v !== undefined);
    return present.length === 0 ? null : Math.max(...present);
  };
  const cpus = listEntries(root, 'sys/devices/system/cpu', /^cpu\d+$/).map((cpu) => path.join('sys/devices/system/cpu', cpu, 'cpufreq'));
  const gpu = listEntries(root, 'sys/class/devfreq', GPU_DEVFREQ)[0];
  return {
    cpuCurKHz: max(cpus.map((dir) => readNumber(root, path.join(dir, 'scaling_cur_freq')))),
    cpuMaxKHz: max(cpus.map((dir) => readNumber(root, path.join(dir, 'scaling_max_freq')))),
    cpuHardwareMaxKHz: max(cpus.map((dir) => readNumber(root, path.join(dir, 'cpuinfo_max_freq')))),
    gpuCurHz: gpu === undefined ? null : readNumber(root, path.join('sys/class/devfreq', gpu, 'cur_freq')) ?? null,
    gpuMaxHz: gpu === undefined ? null : readNumber(root, path.join('sys/class/devfreq', gpu, 'max_freq')) ?? null,
  };
}

// The Jetson board (device-tree model, L4T release); null when this is not a Jetson.
export function readJetson(root: string): { model: string | null; l4t: string | null } | null {
  const model = readText(root, 'proc/device-tree/model') ?? null;
  const release = readText(root, 'etc/nv_tegra_release');
  const isJetson = release !== undefined || (model !== null && /jetson|tegra/i.test(model));
  if (!isJetson) return null;
  return { model, l4t: release === undefined ? null : parseL4tRelease(release) };
}

// /etc/os-release PRETTY_NAME (e.g. "Ubuntu 20.04.6 LTS"); null if absent.
export function readDistro(root: string): string | null {
  const text = readText(root, 'etc/os-release');
  const match = text === undefined ? null : /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
  return match === null ? null : match[1]!;
}
