// `simulate --replay`: re-runs policies on a recorded bench run's routing and link states and predicts each
// item's latency with the papers' layer model (layer-latency.ts), next to what bench measured. For every
// recorded (item, policy, step, layer) the PolicyContext is rebuilt from the record (replay-context.ts) and the
// policy runs through the same registry and resolver as bench. A policy the run did not record is replayed on
// the routing and channel of the run's first policy. Called by cli/commands/simulate.ts.
import { SeededRandom } from '../links/index.js';
import { NO_EXPERT_SLOT, resolvePolicies, type ResolvedPolicy } from '../policy/index.js';
import { RUN_FILES, type LayerRecord, type ResultRecord } from '../records/index.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fitCalibration, NO_CALIBRATION, type Calibration } from './calibrate.js';
import { SimError } from './errors.js';
import { predictLayer } from './layer-latency.js';
import { latencyFigures, type LatencyFigures } from './latency-figures.js';
import { contextOfRecord } from './replay-context.js';
import { loadReplayRun, type ReplayRun } from './replay-run.js';

export interface ReplayOptions {
  readonly runDir: string;
  readonly policies: readonly string[] | null; // --policy values; null = the run's own policies
  readonly calibrate: boolean; // fit the run's overheads (calibrate.ts); false = the bare link model
  readonly calibrateFrom: string | null; // fit them from this other run folder instead (an out-of-sample check)
  readonly cwd: string;
}

export const MEAN_TOLERANCE = 0.1;
export const P90_TOLERANCE = 0.15;

export interface ReplayItem {
  dataset: string; id: string; policy: string;
  predictedMs: number; measuredMs: number | null; error: number | null; // predicted / measured − 1
  kept: number; dropped: number;
}

export interface ReplayPolicy {
  policy: string;
  routingFrom: string; // the recorded policy whose routing and channel it was replayed on
  items: number;
  predicted: LatencyFigures;
  breakdown: { bsComputeMs: number; downlinkMs: number; deviceComputeMs: number; uplinkMs: number; otherMs: number }; // mean per item
  measured: LatencyFigures | null;
  error: { mean: number; p90: number } | null;
  isWithinTolerance: boolean | null;
  sameDecisions: number | null; // share of layers whose kept experts match the record (replaying the recorded policy)
  experts: { kept: number; dropped: number };
}

export interface ReplayReport {
  run: string;
  calibratedOn: string | null; // the run folder the calibration was fitted on; null = the bare model
  calibration: Calibration;
  tolerance: { mean: number; p90: number };
  policies: ReplayPolicy[];
  items: ReplayItem[];
  warnings: string[];
}

const itemKey = (dataset: string, id: string) => `${dataset}\0${id}`;

function isSameKept(line: LayerRecord, experts: Uint16Array, k: number): boolean {
  const routing = line.routing!;
  for (let token = 0; token < line.tokens; token++) {
    for (let j = 0; j < routing.k; j++) {
      const expert = routing.experts[token * routing.k + j]!;
      let ran = 0;
      for (let slot = 0; slot < k; slot++) if (experts[token * k + slot] === expert && expert !== NO_EXPERT_SLOT) ran = 1;
      if (ran !== routing.kept[token * routing.k + j]) return false;
    }
  }
  return true;
}

// Predicts one item's latency under `policy` from the lines of `source` (its recorded policy).
export function replayItem(run: ReplayRun, calibration: Calibration, policy: ResolvedPolicy, source: ResolvedPolicy | null, lines: readonly LayerRecord[], bsRestMs: number, seed: number) {
  const random = new SeededRandom(seed);
  let total = bsRestMs;
  const parts = { bsComputeMs: bsRestMs, downlinkMs: 0, deviceComputeMs: 0, uplinkMs: 0, otherMs: 0 };
  let kept = 0;
  let dropped = 0;
  let same = 0;
  for (const line of lines) {
    const context = contextOfRecord(run, line, () => random.next());
    const startMs = performance.now();
    const decision = policy.policy(context);
    let bsMs = line.bs_compute_ms;
    if (source !== null) {
      // The record's BS time holds the recorded policy's own time: swap it for this policy's (both timed here).
      const policyMs = performance.now() - startMs;
      const sourceStart = performance.now();
      source.policy(context);
      bsMs = Math.max(0, bsMs - (performance.now() - sourceStart) + policyMs);
    } else if (isSameKept(line, decision.experts, decision.k)) same += 1;
    const layer = predictLayer(context, decision, bsMs, calibration);
    total += layer.totalMs + calibration.combineMs;
    parts.bsComputeMs += bsMs;
    parts.downlinkMs += layer.downlinkMs;
    parts.deviceComputeMs += layer.deviceComputeMs;
    parts.uplinkMs += layer.uplinkMs;
    parts.otherMs += layer.otherMs + calibration.combineMs;
    kept += layer.kept;
    dropped += line.tokens * run.topK - layer.kept;
  }
  return { total, parts, kept, dropped, same };
}

// Replays `options.runDir`; throws SimError for a folder that cannot be replayed.
export async function replayRun(options: ReplayOptions): Promise<ReplayReport> {
  const run = loadReplayRun(options.runDir);
  const linesOf = groupLines(run);
  const calibration = !options.calibrate ? NO_CALIBRATION : calibrationOf(options.calibrateFrom === null ? run : loadReplayRun(options.calibrateFrom));
  const resultOf = new Map<string, ResultRecord>(run.results.map((result) => [`${itemKey(result.dataset, result.id)}\0${result.policy}`, result]));
  const items = [...new Map(run.results.map((result) => [itemKey(result.dataset, result.id), result])).values()];
  if (items.length === 0) throw new SimError('replay-empty', `${options.runDir}: results.jsonl has no items to replay`, 'let the bench run finish some items first');
  const recorded = await resolveRecorded(run, options.cwd);
  const wanted = options.policies === null ? recorded : await resolvePolicies(options.policies, { cwd: options.cwd });
  const report: ReplayReport = { run: options.runDir, calibratedOn: options.calibrate ? options.calibrateFrom ?? options.runDir : null, calibration, tolerance: { mean: MEAN_TOLERANCE, p90: P90_TOLERANCE }, policies: [], items: [], warnings: [...run.warnings] };
  wanted.forEach((policy, policyIndex) => {
    const own = recorded.find((candidate) => candidate.label === policy.label);
    const from = own ?? recorded[0]!;
    const predicted: number[] = [];
    const measured: number[] = [];
    const sums = { bsComputeMs: 0, downlinkMs: 0, deviceComputeMs: 0, uplinkMs: 0, otherMs: 0 };
    let kept = 0, dropped = 0, same = 0, layers = 0;
    items.forEach((item, itemIndex) => {
      const lines = linesOf(item.dataset, item.id, from.label);
      const sourceResult = resultOf.get(`${itemKey(item.dataset, item.id)}\0${from.label}`);
      if (lines.length === 0 || sourceResult === undefined) return;
      const bsRest = Math.max(0, sourceResult.latency_ms.breakdown.bs_compute - lines.reduce((sum, line) => sum + line.bs_compute_ms, 0));
      const seed = (itemIndex * 101 + policyIndex) >>> 0;
      const out = replayItem(run, calibration, policy, own === undefined ? from : null, lines, bsRest, seed);
      const result = own === undefined ? undefined : resultOf.get(`${itemKey(item.dataset, item.id)}\0${policy.label}`);
      const measuredMs = result?.latency_ms.total ?? null;
      predicted.push(out.total);
      if (measuredMs !== null) measured.push(measuredMs);
      for (const key of Object.keys(sums) as (keyof typeof sums)[]) sums[key] += out.parts[key];
      kept += out.kept;
      dropped += out.dropped;
      same += out.same;
      layers += lines.length;
      report.items.push({ dataset: item.dataset, id: item.id, policy: policy.label, predictedMs: out.total, measuredMs, error: measuredMs === null || measuredMs === 0 ? null : out.total / measuredMs - 1, kept: out.kept, dropped: out.dropped });
    });
    if (predicted.length === 0) return;
    const predictedFigures = latencyFigures(predicted);
    const measuredFigures = measured.length === predicted.length ? latencyFigures(measured) : null;
    const error = measuredFigures === null ? null : { mean: predictedFigures.mean / measuredFigures.mean - 1, p90: predictedFigures.p90 / measuredFigures.p90 - 1 };
    const n = predicted.length;
    report.policies.push({
      policy: policy.label, routingFrom: from.label, items: n, predicted: predictedFigures,
      breakdown: { bsComputeMs: sums.bsComputeMs / n, downlinkMs: sums.downlinkMs / n, deviceComputeMs: sums.deviceComputeMs / n, uplinkMs: sums.uplinkMs / n, otherMs: sums.otherMs / n },
      measured: measuredFigures, error,
      isWithinTolerance: error === null ? null : Math.abs(error.mean) <= MEAN_TOLERANCE && Math.abs(error.p90) <= P90_TOLERANCE,
      sameDecisions: own === undefined ? null : same / layers,
      experts: { kept, dropped },
    });
  });
  return report;
}

// (dataset, id, policy) → that item's layer lines, in file order.
export function groupLines(run: ReplayRun): (dataset: string, id: string, policy: string) => LayerRecord[] {
  const byItemPolicy = new Map<string, LayerRecord[]>();
  for (const line of run.layers) {
    const key = `${itemKey(line.dataset, line.id)}\0${line.policy}`;
    const list = byItemPolicy.get(key);
    if (list === undefined) byItemPolicy.set(key, [line]);
    else list.push(line);
  }
  return (dataset, id, policy) => byItemPolicy.get(`${itemKey(dataset, id)}\0${policy}`) ?? [];
}

export function calibrationOf(run: ReplayRun): Calibration {
  const linesOf = groupLines(run);
  return fitCalibration(run, (result) => linesOf(result.dataset, result.id, result.policy));
}

// The run's own policies, as policies.json recorded them: each label resolved with every parameter it ran with
// (so a default that changed since does not change the replay) and the module file it was loaded from; a module
// whose sha256 differs from the recorded one is replayed with a warning. Runs without policies.json: by label.
export async function resolveRecorded(run: ReplayRun, cwd: string): Promise<ResolvedPolicy[]> {
  const records = readPolicyRecords(run.dir);
  try {
    const resolved: ResolvedPolicy[] = [];
    for (const label of run.policies) {
      const record = records[label];
      if (record === undefined) {
        resolved.push(...(await resolvePolicies([label], { cwd })));
        continue;
      }
      const target = record.source === 'module' && record.file !== undefined ? record.file : record.policy;
      const params = Object.entries(record.params ?? {}).map(([key, value]) => `${key}=${String(value)}`);
      const [policy] = await resolvePolicies([params.length > 0 ? `${target}:${params.join(',')}` : target], { cwd });
      if (policy!.source.kind === 'module' && record.sha256 !== undefined && policy!.source.sha256 !== record.sha256) {
        (run.warnings as string[]).push(`${label}: ${record.file} changed since the run (sha256 ${record.sha256.slice(0, 12)}… then, ${policy!.source.sha256.slice(0, 12)}… now); replaying the file as it is now`);
      }
      resolved.push({ ...policy!, label });
    }
    return resolved;
  } catch (error) {
    throw new SimError('replay-policy', `${run.dir}: cannot resolve the run's policies (${run.policies.join(', ')}): ${(error as Error).message}`,
      'a custom policy module must still be where the run loaded it from (policies.json names it), or pass it again with --policy ./my-policy.mjs', error);
  }
}

// policies.json of a run folder: label → {policy, source, file?, sha256?, params} (docs/records.md); {} when absent or unreadable.
function readPolicyRecords(dir: string): Record<string, { policy: string; source: string; file?: string; sha256?: string; params?: Record<string, number | boolean> }> {
  const file = path.join(dir, RUN_FILES.policies);
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, { policy: string; source: string; params?: Record<string, number | boolean> }>;
  } catch {
    return {};
  }
}
