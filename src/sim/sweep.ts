// `--sweep name=lo..hi[:points]`: the synthetic simulation repeated over one parameter, for the papers' kind of
// figure (latency vs devices, vs bandwidth, vs distance, vs θ). devices and bandwidth take geometric steps (devices
// rounded, duplicates dropped), distance (every device at that distance) and theta linear ones; θ is set on every policy that has the parameter (wlr, wdmoe), whose
// label then carries it. Rows for CSV/JSON. Called by cli/commands/simulate.ts.
import { parseSpecValue } from './sweep-parse.js';
import { simulateSynthetic, type SyntheticOptions, type SyntheticReport } from './synthetic.js';
import { SimError } from './errors.js';
import type { SweepFileRow } from '../records/index.js';

export const SWEEP_PARAMETERS = ['devices', 'bandwidth', 'distance', 'theta'] as const;
export type SweepParameter = (typeof SWEEP_PARAMETERS)[number];

export interface Sweep {
  readonly parameter: SweepParameter;
  readonly values: readonly number[]; // devices: count; bandwidth: Hz; distance: m (every device); theta: 0–1
}

// One row of the sweep's CSV/JSON: sweep.json's row (records/sweep-file.ts).
export type SweepRow = SweepFileRow;

// One value of a sweep: the simulation there and its rows.
export interface SweepPoint {
  readonly value: number;
  readonly report: SyntheticReport;
  readonly rows: readonly SweepRow[];
}

// How a run folder names a sweep's value (its summary.json dataset): `devices=16`, `bandwidth=22.4MHz`, `distance=150m`, `theta=0.45`.
export function sweepPointLabel(parameter: SweepParameter, value: number): string {
  if (parameter === 'bandwidth') return `bandwidth=${Number((value / 1e6).toPrecision(4))}MHz`;
  return `${parameter}=${Number(value.toPrecision(6))}${parameter === 'distance' ? 'm' : ''}`;
}

const THETA_POLICIES = new Set(['wlr', 'wdmoe']);

// Parses `name=lo..hi[:points]` (points default 5; bandwidth with a unit: 5..100MHz).
export function parseSweep(spec: string): Sweep {
  const match = /^([a-z]+)=([^.]+)\.\.([^:]+?)(?::(\d+))?$/.exec(spec.trim());
  const hint = 'e.g. --sweep devices=4..64, --sweep bandwidth=5..100MHz, --sweep distance=50..500, --sweep theta=0..0.9:10';
  if (match === null) throw new SimError('sweep', `--sweep ${spec}: expected name=lo..hi[:points]`, hint);
  const [, name, loText, hiText, pointsText] = match as unknown as [string, string, string, string, string | undefined];
  if (!(SWEEP_PARAMETERS as readonly string[]).includes(name)) throw new SimError('sweep', `--sweep ${spec}: unknown parameter "${name}" (${SWEEP_PARAMETERS.join(', ')})`, hint);
  const parameter = name as SweepParameter;
  const unit = parameter === 'bandwidth' ? (/[a-z]+$/i.exec(hiText)?.[0] ?? 'Hz') : '';
  const lo = parseSpecValue(parameter, /[a-z]$/i.test(loText) ? loText : `${loText}${unit}`, spec);
  const hi = parseSpecValue(parameter, hiText, spec);
  const points = pointsText === undefined ? 5 : Number(pointsText);
  if (!(points >= 2 && points <= 50) || !(hi > lo)) throw new SimError('sweep', `--sweep ${spec}: expected lo < hi and 2–50 points`, hint);
  const isLinear = parameter === 'theta' || parameter === 'distance';
  const values = Array.from({ length: points }, (_, i) => (isLinear ? lo + ((hi - lo) * i) / (points - 1) : lo * (hi / lo) ** (i / (points - 1))));
  const rounded = parameter === 'devices' ? [...new Set(values.map(Math.round))] : values.map((v) => Number(v.toPrecision(6)));
  return { parameter, values: rounded };
}

// The policy specs with θ set where a policy takes it.
function withTheta(policies: readonly string[], theta: number): string[] {
  return policies.map((spec) => (THETA_POLICIES.has(spec.split(':')[0]!) ? `${spec}${spec.includes(':') ? ',' : ':'}theta=${theta}` : spec));
}

// One synthetic simulation per value; rows in value order, then policy order.
export async function runSweep(options: SyntheticOptions, sweep: Sweep): Promise<SweepRow[]> {
  return (await runSweepPoints(options, sweep)).flatMap((point) => point.rows);
}

// The same, keeping each value's full report (what `--out` writes).
export async function runSweepPoints(options: SyntheticOptions, sweep: Sweep): Promise<SweepPoint[]> {
  if (sweep.parameter === 'theta' && !options.policies.some((spec) => THETA_POLICIES.has(spec.split(':')[0]!))) {
    throw new SimError('sweep', `--sweep theta: none of the policies (${options.policies.join(', ')}) has a theta parameter`, 'add wdmoe or wlr to --policy');
  }
  const points: SweepPoint[] = [];
  for (const value of sweep.values) {
    const report = await simulateSynthetic({
      ...options,
      ...(sweep.parameter === 'devices' ? { devices: value } : {}),
      ...(sweep.parameter === 'bandwidth' ? { bandwidthHz: value } : {}),
      ...(sweep.parameter === 'distance' ? { distanceM: value } : {}),
      ...(sweep.parameter === 'theta' ? { policies: withTheta(options.policies, value) } : {}),
    });
    const rows = report.policies.map((p) => {
      const slots = p.experts.kept + p.experts.dropped;
      return { parameter: sweep.parameter, value, policy: p.policy, mean_ms: p.latency.mean, p50_ms: p.latency.p50, p90_ms: p.latency.p90, p99_ms: p.latency.p99,
        dropped_share: slots === 0 ? 0 : p.experts.dropped / slots, devices_per_layer: p.devicesPerLayer };
    });
    points.push({ value, report, rows });
  }
  return points;
}

// The rows as CSV (a header line, then one line per row).
export function encodeSweepCsv(rows: readonly SweepRow[]): string {
  const keys = ['parameter', 'value', 'policy', 'mean_ms', 'p50_ms', 'p90_ms', 'p99_ms', 'dropped_share', 'devices_per_layer'] as const;
  const cell = (value: string | number) => (typeof value === 'number' ? String(Number(value.toPrecision(6))) : /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return [keys.join(','), ...rows.map((row) => keys.map((key) => cell(row[key])).join(','))].join('\n');
}
