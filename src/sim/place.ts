// `wdmoe place <testbed> --from runs/<id>`: proposes an expert placement (with replicas, within each device's
// memory) from the run's recorded expert popularity (layers.jsonl routing), the devices' compute profiles and
// the recorded link states, and predicts it with the simulator against the testbed's own placement and against
// the best single device holding everything (docs/sim.md "Placement advisor"). The heuristic:
//   1. greedy, per layer, on the m fastest devices: experts by popularity, each onto the device whose expected
//      finish time (rows so far + the expert's rows, × the device's time per row at a 1/m bandwidth share, + its
//      fixed cost) is lowest; replicas while they shorten the layer's expected makespan (the slowest device's
//      heaviest expert copied onto the fastest device with memory left, rows split in proportion to speed);
//   2. the simulator scores the greedy for every m = D … 1 (and the testbed's own placement); the best starts
//   3. a local search: seeded random moves (add a replica, drop one, move one), each kept when the simulator's
//      score (place-objective.ts: the replayed run's mean latency per policy, relative to the testbed's) falls.
// Called by cli/commands/place.ts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { SeededRandom } from '../links/index.js';
import { estimateDeviceMs, resolvePolicies, type ResolvedPolicy } from '../policy/index.js';
import { assertValidTestbed, type Testbed } from '../testbed/index.js';
import { calibrationOf, groupLines, resolveRecorded } from './replay.js';
import { contextOfRecord } from './replay-context.js';
import { loadReplayRun, type ReplayRun } from './replay-run.js';
import { SimError } from './errors.js';
import { itemLinesOf, placementScore, predictPlacement, type Holders } from './place-objective.js';

export interface PlaceOptions {
  readonly testbedPath: string;
  readonly runDir: string;
  readonly policies: readonly string[] | null; // null: the run's own
  readonly iterations: number; // local-search moves tried
  readonly seed: number;
  readonly cwd: string;
}

export interface PlacementPrediction {
  readonly name: 'testbed' | 'proposed' | 'greedy' | 'single-device';
  readonly device: string | null; // single-device: which one
  readonly meanMs: Record<string, number>; // per policy label
  readonly score: number; // Σ mean ÷ the testbed placement's mean
}

export interface PlaceReport {
  readonly testbed: string;
  readonly run: string;
  readonly policies: readonly string[];
  readonly capacity: Record<string, number>; // experts each device's memory holds
  readonly placement: Record<string, string[]>; // device → expert specs ("3": every layer; "1.5": layer 1 expert 5)
  readonly predictions: readonly PlacementPrediction[];
  readonly isSplitSlower: boolean; // the best single device beats every split the search scored
  readonly devicesUsed: number; // by the proposal
  readonly bestSplitScore: number | null; // the best score of a placement on two devices or more
  readonly evaluations: number;
  readonly accepted: number;
  readonly wallMs: number;
}

// deploy's rule of thumb (preflight.ts): an agent holds about twice an expert file's bytes in memory.
const MEMORY_PER_SHARD_BYTE = 2;

const manifestFilesSchema = z.object({ files: z.array(z.object({ role: z.string(), bytes: z.number().nonnegative() })) });

// Bytes of the largest expert file of the run's bundle (manifest.json).
function expertBytesOf(runDir: string): number {
  const file = path.join(runDir, 'manifest.json');
  const checked = existsSync(file) ? manifestFilesSchema.safeParse(JSON.parse(readFileSync(file, 'utf8'))) : null;
  if (checked === null || !checked.success) throw new SimError('place-run', `${file}: no file list with expert sizes`, 'give a run folder written by wdmoe bench');
  return Math.max(1, ...checked.data.files.filter((entry) => entry.role.startsWith('expert.')).map((entry) => entry.bytes));
}

// The testbed's devices must be the run's (same names, same order): the recorded links belong to them.
function checkSameDevices(testbed: Testbed, run: ReplayRun): void {
  const mine = testbed.devices.map((device) => device.name).join(',');
  const theirs = run.devices.map((device) => device.name).join(',');
  if (mine !== theirs) throw new SimError('place-mismatch', `${testbed.file} has devices ${mine}, the run ${run.dir} recorded ${theirs}`, 'give the testbed the run was recorded on (its run folder holds a copy: testbed.yaml)');
  if (testbed.model.numLayers !== run.expertDevices.length || testbed.model.numExperts !== run.numExperts) {
    throw new SimError('place-mismatch', `${testbed.file}'s model has ${testbed.model.numLayers} layers × ${testbed.model.numExperts} experts, the run's ${run.expertDevices.length} × ${run.numExperts}`, 'give the testbed the run was recorded on');
  }
}

// popularity[layer][expert]: the share of the layer's routed (token, expert) slots, over every recorded line.
function popularityOf(run: ReplayRun): number[][] {
  const counts = run.expertDevices.map(() => new Array<number>(run.numExperts).fill(0));
  for (const line of run.layers) for (const expert of line.routing!.experts) counts[line.layer]![expert]! += 1;
  return counts.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((count) => (total === 0 ? 1 / row.length : count / total));
  });
}

// Per device: mean ms per token row (down + compute + up at an equal share) and per expert run, over the run's link states.
function deviceCosts(run: ReplayRun, share: number): { perRowMs: number[]; fixedMs: number[]; rowsPerLayer: number } {
  const rowBytes = run.hiddenSize * 4;
  const perRow = run.devices.map(() => 0);
  const sample = run.layers.filter((_, i) => i % Math.max(1, Math.floor(run.layers.length / 200)) === 0);
  for (const line of sample) {
    const estimates = contextOfRecord(run, line, () => 0.5).devices;
    estimates.forEach((device, d) => {
      perRow[d]! += estimateDeviceMs(device, { rows: 8, expertRuns: 0, pairs: 8 }, share, rowBytes) / 8;
    });
  }
  const rowsPerLayer = run.layers.reduce((sum, line) => sum + line.tokens * run.topK, 0) / Math.max(1, run.layers.length);
  return { perRowMs: perRow.map((sum) => sum / Math.max(1, sample.length)), fixedMs: run.devices.map((device) => device.compute.fixedMs), rowsPerLayer };
}

// Steps 1–2: the greedy placement with replicas, within `capacity[d]` experts per device.
function greedyPlacement(popularity: readonly number[][], costs: ReturnType<typeof deviceCosts>, capacity: readonly number[]): Holders {
  const devices = capacity.length;
  const used = capacity.map(() => 0);
  return popularity.map((layerPopularity) => {
    const rows = new Array<number>(devices).fill(0);
    const runs = new Array<number>(devices).fill(0);
    const holders: number[][] = layerPopularity.map(() => []);
    const finish = (d: number, extraRows = 0, extraRuns = 0) => (rows[d]! + extraRows) * costs.perRowMs[d]! + (runs[d]! + extraRuns) * costs.fixedMs[d]!;
    const order = layerPopularity.map((p, e) => [p, e] as const).sort((a, b) => b[0] - a[0]);
    for (const [p, expert] of order) {
      const share = p * costs.rowsPerLayer;
      let best = -1;
      for (let d = 0; d < devices; d++) if (used[d]! < capacity[d]! && (best < 0 || finish(d, share, 1) < finish(best, share, 1))) best = d;
      if (best < 0) throw new SimError('place-memory', `the devices' memory holds ${capacity.reduce((a, b) => a + b, 0)} experts, fewer than the model's ${popularity.length * layerPopularity.length}`, 'add devices, or give them profiles with more memory_gib');
      holders[expert]!.push(best);
      rows[best]! += share;
      runs[best]! += 1;
      used[best]! += 1;
    }
    // Replicas: relieve the slowest device while that shortens the makespan.
    for (let guard = 0; guard < devices * layerPopularity.length; guard++) {
      const slowest = rows.map((_, d) => d).reduce((a, b) => (finish(b) > finish(a) ? b : a));
      const heaviest = holders.map((_, e) => e).filter((e) => holders[e]!.includes(slowest)).sort((a, b) => layerPopularity[b]! - layerPopularity[a]!)[0];
      if (heaviest === undefined) break;
      const target = rows.map((_, d) => d).filter((d) => used[d]! < capacity[d]! && !holders[heaviest]!.includes(d)).sort((a, b) => finish(a) - finish(b))[0];
      if (target === undefined) break;
      // The expert's rows split over its holders in proportion to their speed (1 / per-row time).
      const before = holders[heaviest]!;
      const after = [...before, target];
      const share = (set: number[], d: number) => (layerPopularity[heaviest]! * costs.rowsPerLayer * (1 / costs.perRowMs[d]!)) / set.reduce((sum, h) => sum + 1 / costs.perRowMs[h]!, 0);
      const moved = rows.slice();
      for (const d of before) moved[d]! -= share(before, d);
      for (const d of after) moved[d]! += share(after, d);
      const makespan = (r: number[], extraRun: number) => Math.max(...r.map((value, d) => value * costs.perRowMs[d]! + (runs[d]! + (d === extraRun ? 1 : 0)) * costs.fixedMs[d]!));
      if (makespan(moved, target) >= makespan(rows, -1) - 1e-9) break;
      rows.splice(0, rows.length, ...moved);
      runs[target]! += 1;
      used[target]! += 1;
      holders[heaviest] = after;
    }
    return holders;
  });
}

const copy = (holders: Holders): Holders => holders.map((layer) => layer.map((devices) => [...devices]));

// One random move on `holders` (in place) within capacity; false when the drawn move is impossible.
function randomMove(holders: Holders, capacity: readonly number[], used: number[], random: SeededRandom): boolean {
  const layer = Math.floor(random.next() * holders.length);
  const expert = Math.floor(random.next() * holders[layer]!.length);
  const devices = holders[layer]![expert]!;
  const kind = random.next();
  const other = Math.floor(random.next() * capacity.length);
  if (kind < 0.4) { // add a replica
    if (devices.includes(other) || used[other]! >= capacity[other]!) return false;
    devices.push(other);
    used[other]! += 1;
    return true;
  }
  const index = Math.floor(random.next() * devices.length);
  const from = devices[index]!;
  if (kind < 0.7) { // drop a replica
    if (devices.length < 2) return false;
    devices.splice(index, 1);
    used[from]! -= 1;
    return true;
  }
  if (devices.includes(other) || used[other]! >= capacity[other]!) return false; // move one copy
  devices[index] = other;
  used[from]! -= 1;
  used[other]! += 1;
  return true;
}

const usedOf = (holders: Holders, devices: number): number[] => {
  const used = new Array<number>(devices).fill(0);
  for (const layer of holders) for (const expert of layer) for (const d of expert) used[d]! += 1;
  return used;
};

// Device → the specs a testbed's placement map takes: "e" for an expert held on every layer, else "l.e".
export function placementSpecs(holders: Holders, names: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = Object.fromEntries(names.map((name) => [name, [] as string[]]));
  const experts = holders[0]?.length ?? 0;
  names.forEach((name, d) => {
    for (let e = 0; e < experts; e++) {
      const layers = holders.map((layer, l) => (layer[e]!.includes(d) ? l : -1)).filter((l) => l >= 0);
      if (layers.length === holders.length) out[name]!.push(String(e));
      else for (const l of layers) out[name]!.push(`${l}.${e}`);
    }
  });
  return out;
}

// Proposes a placement for `options.testbedPath` from the run in `options.runDir`.
export async function proposePlacement(options: PlaceOptions): Promise<PlaceReport & { holders: Holders }> {
  const startMs = performance.now();
  if (!(Number.isInteger(options.iterations) && options.iterations >= 0)) throw new SimError('usage', `--iterations ${options.iterations}: expected an integer ≥ 0`, 'e.g. --iterations 300');
  const { testbed } = await assertValidTestbed(options.testbedPath);
  const run = loadReplayRun(options.runDir);
  checkSameDevices(testbed, run);
  const policies: ResolvedPolicy[] = options.policies === null ? await resolveRecorded(run, options.cwd) : await resolvePolicies(options.policies, { cwd: options.cwd });
  // A policy the run did not record is scored on the first recorded policy's lines.
  const recordedLabels = new Set(run.results.map((result) => result.policy));
  const scored = policies.map((policy) => (recordedLabels.has(policy.label) ? policy.label : run.policies[0]!));
  const linesOf = groupLines(run);
  const items = itemLinesOf(run, policies.map((policy, p) => ({ ...policy, label: scored[p]! })), linesOf);
  if (items.length === 0) throw new SimError('place-run', `${options.runDir}: no recorded item has layer lines to replay`, 'record a run with wdmoe bench first (layers format 2)');
  const calibration = calibrationOf(run);
  const names = run.devices.map((device) => device.name);
  const expertBytes = expertBytesOf(options.runDir);
  const totalExperts = run.expertDevices.length * run.numExperts;
  const capacity = testbed.devices.map((device) => Math.min(totalExperts, Math.floor(((testbed.profiles.get(device.profile)?.memoryGiB ?? 0) * 2 ** 30) / (expertBytes * MEMORY_PER_SHARD_BYTE))));
  const indexOf = new Map(names.map((name, index) => [name, index]));
  const own: Holders = run.expertDevices.map((layer, l) => layer.map((_, e) => (testbed.placement.get(`${l}.${e}`) ?? []).map((name) => indexOf.get(name)!)));
  let evaluations = 0;
  const evaluate = (holders: Holders) => {
    evaluations += 1;
    return predictPlacement(run, calibration, policies, items, holders);
  };
  const baseline = evaluate(own);
  const prediction = (name: PlacementPrediction['name'], means: number[], device: string | null = null): PlacementPrediction => ({
    name, device, meanMs: Object.fromEntries(policies.map((policy, p) => [policy.label, means[p]!])), score: placementScore(means, baseline),
  });
  // The best split seen (a placement using two devices or more), for the one-device comparison.
  let bestSplitScore = Infinity;
  const score = (holders: Holders, means: number[]) => {
    const value = placementScore(means, baseline);
    if (usedOf(holders, names.length).filter((n) => n > 0).length > 1) bestSplitScore = Math.min(bestSplitScore, value);
    return value;
  };
  score(own, baseline);
  // Greedy over the m fastest devices, m = 1 … D (fewer devices: a larger bandwidth share each, one slowest of
  // fewer): the simulator picks the m; the greedy of all D is what the table shows as "greedy".
  const popularity = popularityOf(run);
  const speedOrder = deviceCosts(run, 1 / names.length).perRowMs.map((ms, d) => [ms, d] as const).sort((a, b) => a[0] - b[0]).map(([, d]) => d);
  let greedy: { holders: Holders; means: number[]; score: number } | null = null;
  let start = { holders: own, means: baseline, score: placementScore(baseline, baseline) };
  for (let m = names.length; m >= 1; m--) {
    const subset = new Set(speedOrder.slice(0, m));
    const limited = capacity.map((n, d) => (subset.has(d) ? n : 0));
    if (limited.reduce((a, b) => a + b, 0) < totalExperts) break;
    const holders = greedyPlacement(popularity, deviceCosts(run, 1 / m), limited);
    const means = evaluate(holders);
    const candidate = { holders, means, score: score(holders, means) };
    if (greedy === null) greedy = candidate;
    if (candidate.score < start.score) start = candidate;
  }
  if (greedy === null) throw new SimError('place-memory', `the devices' memory holds ${capacity.reduce((a, b) => a + b, 0)} experts, fewer than the model's ${totalExperts}`, 'add devices, or give them profiles with more memory_gib');
  // Local search from the best start.
  let best = copy(start.holders);
  let bestScore = start.score;
  let bestMeans = start.means;
  const random = new SeededRandom(options.seed >>> 0);
  let accepted = 0;
  for (let i = 0; i < options.iterations; i++) {
    const candidate = copy(best);
    if (!randomMove(candidate, capacity, usedOf(candidate, names.length), random)) continue;
    const means = evaluate(candidate);
    const value = score(candidate, means);
    if (value < bestScore - 1e-9) [best, bestScore, bestMeans, accepted] = [candidate, value, means, accepted + 1];
  }
  // The best single device that can hold every expert.
  let single: PlacementPrediction | null = null;
  for (let d = 0; d < names.length; d++) {
    if (capacity[d]! < totalExperts) continue;
    const candidate = prediction('single-device', evaluate(run.expertDevices.map((layer) => layer.map(() => [d]))), names[d]!);
    if (single === null || candidate.score < single.score) single = candidate;
  }
  const proposed = prediction('proposed', bestMeans);
  const greedyMeans = greedy.means;
  return {
    testbed: options.testbedPath, run: options.runDir, policies: policies.map((policy) => policy.label),
    capacity: Object.fromEntries(names.map((name, d) => [name, capacity[d]!])),
    placement: placementSpecs(best, names), holders: best,
    predictions: [prediction('testbed', baseline), prediction('greedy', greedyMeans), proposed, ...(single === null ? [] : [single])],
    isSplitSlower: single !== null && single.score < bestSplitScore,
    devicesUsed: usedOf(best, names.length).filter((n) => n > 0).length,
    bestSplitScore: Number.isFinite(bestSplitScore) ? bestSplitScore : null,
    evaluations, accepted, wallMs: performance.now() - startMs,
  };
}
