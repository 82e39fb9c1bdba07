// The placement advisor's objective: a candidate placement's predicted latency on a recorded run — every item
// of the run replayed (replay.ts's replayItem: the same policies, link states and calibration as
// `simulate --replay`) with the run's expert → device map replaced by the candidate. Per policy the mean item
// latency; the score is Σ over policies of mean ÷ the baseline placement's mean, so each policy counts alike
// whatever its scale. Pure apart from the policies' own timing; called by place.ts.
import type { ResolvedPolicy } from '../policy/index.js';
import type { LayerRecord, ResultRecord } from '../records/index.js';
import type { Calibration } from './calibrate.js';
import { replayItem } from './replay.js';
import type { ReplayRun } from './replay-run.js';

// [layer][expert] → the devices holding it (indices into the run's devices).
export type Holders = number[][][];

export interface ItemLines {
  readonly policy: number; // index into the policies
  readonly lines: readonly LayerRecord[];
  readonly bsRestMs: number; // the item's BS work outside the layers (embed, head)
  readonly seed: number;
}

// The (item, policy) replays the objective sums: each recorded item under each policy that recorded it.
export function itemLinesOf(run: ReplayRun, policies: readonly ResolvedPolicy[], linesOf: (dataset: string, id: string, policy: string) => LayerRecord[]): ItemLines[] {
  const byKey = new Map<string, ResultRecord>(run.results.map((result) => [`${result.dataset}\0${result.id}\0${result.policy}`, result]));
  const out: ItemLines[] = [];
  [...byKey.values()].forEach((result, index) => {
    const policy = policies.findIndex((candidate) => candidate.label === result.policy);
    const lines = linesOf(result.dataset, result.id, result.policy);
    if (policy < 0 || lines.length === 0) return;
    const bsRestMs = Math.max(0, result.latency_ms.breakdown.bs_compute - lines.reduce((sum, line) => sum + line.bs_compute_ms, 0));
    out.push({ policy, lines, bsRestMs, seed: (index * 101 + policy) >>> 0 });
  });
  return out;
}

// Mean predicted item latency per policy (ms) under `holders`.
export function predictPlacement(run: ReplayRun, calibration: Calibration, policies: readonly ResolvedPolicy[], items: readonly ItemLines[], holders: Holders): number[] {
  const placed: ReplayRun = { ...run, expertDevices: holders };
  const sums = policies.map(() => 0);
  const counts = policies.map(() => 0);
  for (const item of items) {
    sums[item.policy]! += replayItem(placed, calibration, policies[item.policy]!, null, item.lines, item.bsRestMs, item.seed).total;
    counts[item.policy]! += 1;
  }
  return sums.map((sum, p) => (counts[p] === 0 ? 0 : sum / counts[p]!));
}

// Σ_p mean_p ÷ baseline_p (the baseline itself scores the number of policies).
export function placementScore(means: readonly number[], baseline: readonly number[]): number {
  return means.reduce((sum, mean, p) => sum + (baseline[p]! > 0 ? mean / baseline[p]! : 0), 0);
}
