// The statistics behind every number in a report: latency mean and percentiles (simple-statistics, the
// same numpy-style linear interpolation as summary.json) and 95% intervals of accuracies (Wilson score
// interval, z from jstat's normal quantile). The only module of report/ that imports either library.
// Pure; called by accuracy.ts, latency.ts and compare.ts.

import jstat from 'jstat';
import { mean, quantileSorted } from 'simple-statistics';

export interface Spread {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

// mean/p50/p90/p99 of some milliseconds; `values` must not be empty.
export function spreadOf(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { mean: mean(sorted), p50: quantileSorted(sorted, 0.5), p90: quantileSorted(sorted, 0.9), p99: quantileSorted(sorted, 0.99) };
}

// Arithmetic mean (simple-statistics); `values` must not be empty.
export function meanOf(values: readonly number[]): number {
  return mean([...values]);
}

// The two-sided normal quantile for a 95% interval (1.959963984540054).
const Z95 = jstat.jStat.normal.inv(0.975, 0, 1);

// The Wilson score interval for `successes` out of `n` (no continuity correction; R's prop.test(correct =
// FALSE), statsmodels proportion_confint(method='wilson')). Chosen over the normal approximation because
// it stays inside [0, 1] and does not collapse to a point at 0% or 100%, which small runs hit often.
export function wilsonInterval95(successes: number, n: number): readonly [number, number] {
  if (n === 0) return [0, 1];
  const p = successes / n;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
