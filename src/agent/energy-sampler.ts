// Integrates the device's power rails into cumulative energy counters (µJ per rail), reported in
// every STATS so that the BS measures any window as a difference of two readings (docs/protocol.md
// "Runtime info and telemetry"). Sources, in order of preference: the INA3221 sysfs nodes (JetPack 4
// iio `rail_name_N` + `in_powerN_input` mW; JetPack 5+ hwmon `inN_label` + `inN_input` mV ×
// `currN_input` mA), hwmon `powerN_input` µW, else a `tegrastats --interval` child. Trapezoidal rule
// over the agent's monotonic clock. Called by agent/run-agent.ts; node built-ins only.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { EnergyCounters } from '../transport/index.js';
import { listEntries, readText } from './device-sysfs.js';
import { parseTegrastatsLine, pickTotalRail } from './jetson-parse.js';

// One power rail read from sysfs: its name and a reader of its power now (mW; undefined: unreadable).
export interface SysfsRail {
  name: string;
  source: 'ina3221' | 'hwmon';
  readMilliwatts(): number | undefined;
}

function readNumber(root: string, file: string): number | undefined {
  const text = readText(root, file);
  return text === undefined || !/^-?\d+$/.test(text) ? undefined : Number(text);
}

// Channels whose label says nothing is connected.
const isUnconnected = (label: string) => /^(NC|not connected|sum of shunt voltages)$/i.test(label);

// Finds the power rails this board exposes in sysfs; [] where it has none (e.g. a PC, a container).
export function discoverSysfsRails(root: string): SysfsRail[] {
  const rails: SysfsRail[] = [];
  // JetPack 4: /sys/bus/i2c/drivers/ina3221x/<bus-addr>/iio:device<N>/{rail_name_K,in_powerK_input}
  const iioDriver = 'sys/bus/i2c/drivers/ina3221x';
  for (const chip of listEntries(root, iioDriver, /^\d+-[0-9a-f]+$/)) {
    for (const device of listEntries(root, path.join(iioDriver, chip), /^iio:device\d+$/)) {
      const dir = path.join(iioDriver, chip, device);
      for (const entry of listEntries(root, dir, /^rail_name_\d+$/)) {
        const index = entry.slice('rail_name_'.length);
        const name = readText(root, path.join(dir, entry));
        if (name === undefined || isUnconnected(name)) continue;
        const file = path.join(dir, `in_power${index}_input`);
        rails.push({ name, source: 'ina3221', readMilliwatts: () => readNumber(root, file) });
      }
    }
  }
  // JetPack 5+: /sys/bus/i2c/drivers/ina3221/<bus-addr>/hwmon/hwmon<N>/{inK_label,inK_input mV,currK_input mA}
  const hwmonDriver = 'sys/bus/i2c/drivers/ina3221';
  for (const chip of listEntries(root, hwmonDriver, /^\d+-[0-9a-f]+$/)) {
    for (const hwmon of listEntries(root, path.join(hwmonDriver, chip, 'hwmon'), /^hwmon\d+$/)) {
      const dir = path.join(hwmonDriver, chip, 'hwmon', hwmon);
      for (const entry of listEntries(root, dir, /^in\d+_label$/)) {
        const index = entry.slice(2, -'_label'.length);
        const name = readText(root, path.join(dir, entry));
        if (name === undefined || isUnconnected(name)) continue;
        const volts = path.join(dir, `in${index}_input`);
        const amps = path.join(dir, `curr${index}_input`);
        rails.push({
          name, source: 'ina3221',
          readMilliwatts: () => {
            const [millivolts, milliamps] = [readNumber(root, volts), readNumber(root, amps)];
            return millivolts === undefined || milliamps === undefined ? undefined : (millivolts * milliamps) / 1000;
          },
        });
      }
    }
  }
  if (rails.length > 0) return rails;
  // Other power monitors: /sys/class/hwmon/hwmon<N>/{powerK_label,powerK_input µW}
  for (const hwmon of listEntries(root, 'sys/class/hwmon', /^hwmon\d+$/)) {
    const dir = path.join('sys/class/hwmon', hwmon);
    for (const entry of listEntries(root, dir, /^power\d+_input$/)) {
      const index = entry.slice('power'.length, -'_input'.length);
      const name = readText(root, path.join(dir, `power${index}_label`)) ?? `${readText(root, path.join(dir, 'name')) ?? hwmon}_power${index}`;
      const file = path.join(dir, entry);
      rails.push({ name, source: 'hwmon', readMilliwatts: () => {
        const microwatts = readNumber(root, file);
        return microwatts === undefined ? undefined : microwatts / 1000;
      } });
    }
  }
  return rails;
}

// Cumulative energy per rail from power samples at given times (trapezoidal rule; mW × ms = µJ).
export class EnergyIntegrator {
  readonly #source: string;
  readonly #rails = new Map<string, { microjoules: number; milliwatts: number; atMs: number }>();
  #sampleCount = 0;

  constructor(source: string) {
    this.#source = source;
  }

  // Adds one sample of every rail's power (mW) taken at `atMs` (monotonic).
  add(atMs: number, railsMilliwatts: Readonly<Record<string, number>>): void {
    for (const [name, milliwatts] of Object.entries(railsMilliwatts)) {
      if (!Number.isFinite(milliwatts)) continue;
      const rail = this.#rails.get(name);
      if (rail === undefined) {
        this.#rails.set(name, { microjoules: 0, milliwatts, atMs });
        continue;
      }
      const elapsedMs = atMs - rail.atMs;
      if (elapsedMs <= 0) continue;
      rail.microjoules += ((rail.milliwatts + milliwatts) / 2) * elapsedMs;
      rail.milliwatts = milliwatts;
      rail.atMs = atMs;
    }
    this.#sampleCount++;
  }

  // The counters as STATS reports them; null before any rail was seen.
  counters(): EnergyCounters | null {
    if (this.#rails.size === 0) return null;
    const rails: EnergyCounters['rails'] = {};
    for (const [name, rail] of this.#rails) rails[name] = { microjoules: Math.round(rail.microjoules), milliwatts: rail.milliwatts };
    return { source: this.#source, totalRail: pickTotalRail([...this.#rails.keys()]), rails, sampleCount: this.#sampleCount };
  }
}

export interface EnergySampler {
  readonly source: string | null; // null: no power rails
  counters(): EnergyCounters | null;
  close(): void;
}

export interface EnergySamplerOptions {
  root?: string; // default "/"
  intervalMs?: number; // default 50 (sysfs) / 100 (tegrastats)
  isJetson: boolean; // tegrastats is only looked for on a Jetson
  now?: () => number; // default performance.now
  spawnTegrastats?: (intervalMs: number) => ChildProcess; // tests pass a fake
}

const NO_RAILS: EnergySampler = { source: null, counters: () => null, close: () => undefined };

// Starts sampling the rails in the background (timers unref'd); NO_RAILS where the device has none.
export function startEnergySampler(options: EnergySamplerOptions): EnergySampler {
  const now = options.now ?? (() => performance.now());
  const rails = discoverSysfsRails(options.root ?? '/');
  if (rails.length > 0) {
    const integrator = new EnergyIntegrator(rails[0]!.source);
    const sample = () => {
      const reading: Record<string, number> = {};
      for (const rail of rails) {
        const milliwatts = rail.readMilliwatts();
        if (milliwatts !== undefined) reading[rail.name] = milliwatts;
      }
      integrator.add(now(), reading);
    };
    sample();
    const timer = setInterval(sample, options.intervalMs ?? 50);
    timer.unref();
    return {
      source: integrator.counters()?.source ?? rails[0]!.source,
      counters: () => {
        sample(); // the window ends now, not at the last tick
        return integrator.counters();
      },
      close: () => clearInterval(timer),
    };
  }
  if (!options.isJetson) return NO_RAILS;
  const intervalMs = options.intervalMs ?? 100;
  const child = (options.spawnTegrastats ?? ((ms) => spawn('tegrastats', ['--interval', String(ms)], { stdio: ['ignore', 'pipe', 'ignore'] })))(intervalMs);
  const integrator = new EnergyIntegrator('tegrastats');
  let isRunning = true;
  child.on('error', () => (isRunning = false)); // no tegrastats: counters stay null
  child.on('exit', () => (isRunning = false));
  child.unref();
  if (child.stdout !== null) {
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    createInterface({ input: child.stdout }).on('line', (line) => {
      const sample = parseTegrastatsLine(line);
      if (sample !== null && Object.keys(sample.railsMilliwatts).length > 0) integrator.add(now(), sample.railsMilliwatts);
    });
  }
  return {
    source: 'tegrastats',
    counters: () => integrator.counters(),
    close: () => {
      if (isRunning) child.kill('SIGTERM');
    },
  };
}
