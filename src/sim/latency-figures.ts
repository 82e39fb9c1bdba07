// Mean and p50/p90/p99 of some latencies (ms), quantiles by linear interpolation between closest ranks as
// summary.json computes them (simple-statistics, numpy's default). Used by replay.ts and synthetic.ts.
import { mean, quantileSorted } from 'simple-statistics';

export interface LatencyFigures { mean: number; p50: number; p90: number; p99: number }

// The figures of `values` (at least one).
export function latencyFigures(values: ArrayLike<number>): LatencyFigures {
  const sorted = Array.from(values).sort((a, b) => a - b);
  return { mean: mean(sorted), p50: quantileSorted(sorted, 0.5), p90: quantileSorted(sorted, 0.9), p99: quantileSorted(sorted, 0.99) };
}
