// The report's "Setup" and "Energy" tables (issue 11 item 6, issue 13 item 2): per run the BS's
// environment (tool, Node, OS, git commit) and per device what ran the experts (runtime, engine,
// execution provider asked → used, OS, arch, board, power mode, peak temperature and clock caps at the
// session's start → end), flagging a device that throttled (a throttle flag, a clock cap that dropped,
// the power mode changed) or fell back to CPU; and per policy the energy per item and per token where
// devices have power rails. Pure over loaded run folders; called by build-report.ts.
import type { DeviceSetupRecord } from '../records/index.js';
import type { EnergyRow, SetupRow } from './report-types.js';
import type { RunFolder } from './run-folder.js';
import type { Series } from './series.js';

type Telemetry = {
  temperaturesC?: Record<string, number> | null; powerMode?: string | null; isThrottled?: boolean | null;
  clocks?: { cpuMaxKHz?: number | null; gpuMaxHz?: number | null } | null;
};
type Runtime = {
  runtime?: string; runtimeVersion?: string; engine?: string; engineVersion?: string | null; executionProvider?: string;
  os?: string; arch?: string; jetson?: { model?: string | null; l4t?: string | null } | null;
};

const peakTemperature = (t: Telemetry | null): number | null => {
  const values = Object.values(t?.temperaturesC ?? {});
  return values.length === 0 ? null : Math.max(...values);
};

// Why a device's session looks throttled (empty: it does not).
export function throttleReasons(start: Telemetry | null, end: Telemetry | null): string[] {
  const reasons: string[] = [];
  if (start?.isThrottled === true || end?.isThrottled === true) reasons.push('a thermal zone reached its passive trip point');
  const dropped = (a: number | null | undefined, b: number | null | undefined) => typeof a === 'number' && typeof b === 'number' && b < a;
  if (dropped(start?.clocks?.cpuMaxKHz, end?.clocks?.cpuMaxKHz)) reasons.push(`CPU clock cap fell ${start!.clocks!.cpuMaxKHz} → ${end!.clocks!.cpuMaxKHz} kHz`);
  if (dropped(start?.clocks?.gpuMaxHz, end?.clocks?.gpuMaxHz)) reasons.push(`GPU clock cap fell ${start!.clocks!.gpuMaxHz} → ${end!.clocks!.gpuMaxHz} Hz`);
  if (typeof start?.powerMode === 'string' && typeof end?.powerMode === 'string' && start.powerMode !== end.powerMode) reasons.push(`power mode changed ${start.powerMode} → ${end.powerMode}`);
  return reasons;
}

const arrow = (a: string | null, b: string | null) => (a === b || b === null ? a ?? '–' : `${a ?? '–'} → ${b}`);
const celsius = (value: number | null) => (value === null ? null : `${Number(value.toFixed(1))}°C`);

// One row per device per bench session, and one "(bs)" row per run with its environment.
export function setupRows(runs: readonly RunFolder[]): SetupRow[] {
  const rows: SetupRow[] = [];
  for (const folder of runs) {
    const environment = folder.meta?.environment;
    if (environment !== undefined) {
      const commit = environment.gitCommit === null ? 'not a git checkout' : `git ${environment.gitCommit.slice(0, 12)}${environment.isGitDirty === true ? ' (modified)' : ''}`;
      rows.push({
        run: folder.label, device: '(bs)', runtime: `node ${environment.node}`, engine: `onnxruntime-node ${environment.dependencies['onnxruntime-node'] ?? '?'}`,
        execution_provider: 'cpu', os: environment.os, arch: environment.arch, board: `${folder.meta?.tool ?? 'wdmoe'}, ${commit}`,
        power_mode: null, temperature: null, flags: '', is_throttled: false, is_cpu_fallback: false,
      });
    }
    const sessions = new Map<string, { start?: DeviceSetupRecord; end?: DeviceSetupRecord }>();
    for (const line of folder.deviceSetup) {
      const key = `${line.session}\u0000${line.device}`;
      sessions.set(key, { ...sessions.get(key), [line.phase]: line });
    }
    const several = new Set(folder.deviceSetup.map((line) => line.session)).size > 1;
    for (const { start, end } of sessions.values()) {
      const line = (start ?? end)!;
      const runtime = (start?.runtime ?? null) as Runtime | null;
      const [t0, t1] = [(start?.telemetry ?? null) as Telemetry | null, (end?.telemetry ?? null) as Telemetry | null];
      const reasons = throttleReasons(t0, t1);
      const isCpuFallback = line.cpu_fallback;
      const actual = runtime?.executionProvider ?? '?';
      const flags = [...(isCpuFallback ? ['CPU FALLBACK'] : []), ...(reasons.length > 0 ? [`THROTTLED: ${reasons.join('; ')}`] : []), ...(end === undefined ? ['no end reading'] : [])];
      rows.push({
        run: folder.label,
        device: several ? `${line.device} @ ${line.session}` : line.device,
        runtime: runtime === null ? '–' : `${runtime.runtime ?? '?'} ${runtime.runtimeVersion ?? ''}`.trim(),
        engine: runtime === null ? '–' : `${runtime.engine ?? '?'} ${runtime.engineVersion ?? ''}`.trim(),
        execution_provider: line.requested_execution_provider === 'auto' || line.requested_execution_provider === actual ? actual : `${line.requested_execution_provider} asked, ${actual} used`,
        os: runtime?.os ?? '–',
        arch: runtime?.arch ?? '–',
        board: runtime?.jetson === null || runtime?.jetson === undefined ? '–' : `${runtime.jetson.model ?? 'Jetson'}${runtime.jetson.l4t === null || runtime.jetson.l4t === undefined ? '' : ` (L4T ${runtime.jetson.l4t})`}`,
        power_mode: t0?.powerMode === undefined && t1?.powerMode === undefined ? null : arrow(t0?.powerMode ?? null, t1?.powerMode ?? null),
        temperature: peakTemperature(t0) === null && peakTemperature(t1) === null ? null : arrow(celsius(peakTemperature(t0)), celsius(peakTemperature(t1))),
        flags: flags.join('; '),
        is_throttled: reasons.length > 0,
        is_cpu_fallback: isCpuFallback,
      });
    }
  }
  return rows;
}

// Energy per policy over the items that have an energy.jsonl line (devices with power rails only).
export function energyRows(series: readonly Series[]): EnergyRow[] {
  const rows: EnergyRow[] = [];
  for (const one of series) {
    const lines = one.folder.energy.filter((line) => line.policy === one.ref.policy);
    const measured = lines.filter((line) => Object.values(line.joules).some((joules) => joules !== null));
    if (measured.length === 0) continue;
    const joules = measured.reduce((sum, line) => sum + Object.values(line.joules).reduce<number>((s, j) => s + (j ?? 0), 0), 0);
    const tokens = measured.reduce((sum, line) => sum + line.n_tokens, 0);
    const devices = [...new Set(measured.flatMap((line) => Object.entries(line.joules).filter(([, j]) => j !== null).map(([device]) => device)))];
    const rails = [...new Set(measured.flatMap((line) => Object.values(line.rails)))];
    rows.push({
      ...one.ref,
      items: measured.length,
      joules,
      joules_per_item: joules / measured.length,
      joules_per_token: tokens === 0 ? null : joules / tokens,
      devices: devices.join(', '),
      rails: rails.join(', '),
    });
  }
  return rows;
}

// What a run's notes say about its devices: throttling, CPU fallback, and missing power rails.
export function setupNotes(folder: RunFolder, rows: readonly SetupRow[]): string[] {
  const notes: string[] = [];
  for (const row of rows.filter((r) => r.run === folder.label)) {
    if (row.is_cpu_fallback) notes.push(`device ${row.device} fell back to CPU (cuda asked; allowed by allow_cpu_fallback): its times are CPU times`);
    if (row.is_throttled) notes.push(`device ${row.device} throttled during the run: ${row.flags.replace(/^.*THROTTLED: /, '')}`);
  }
  if (folder.deviceSetup.length > 0 && folder.energy.length === 0) notes.push('no power rails on the devices: energy not measured');
  return notes;
}
