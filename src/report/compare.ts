// The comparison against a baseline: which series is the baseline (--baseline, default topk, else the
// first), and for every series its accuracy delta and latency ratios over the datasets both have.
// Across the policies of one run and across runs alike. Pure; called by build-report.ts.

import { ReportError } from './errors.js';
import { latencyRowOf } from './latency.js';
import type { ComparisonRow } from './report-types.js';
import { inOrder, type Series } from './series.js';

const DEFAULT_BASELINE = 'topk';

// The baseline series: `requested` matches a series name (`run/policy`) or a policy label (its first
// series); null when there is nothing to compare (one series). An unknown `requested` is a ReportError.
export function resolveBaseline(series: readonly Series[], requested: string | null): Series | null {
  if (requested !== null) {
    const found = series.find((one) => one.ref.series === requested) ?? series.find((one) => one.ref.policy === requested);
    if (found === undefined) {
      throw new ReportError('report-baseline', `--baseline ${requested}: no such policy in the runs given`,
        `pass one of: ${inOrder(series.flatMap((one) => [one.ref.policy, one.ref.series])).join(', ')}`);
    }
    return series.length > 1 ? found : null;
  }
  if (series.length <= 1) return null;
  return series.find((one) => one.ref.policy === DEFAULT_BASELINE) ?? series[0]!;
}

const droppedShare = (results: Series['results']): number => {
  const used = results.reduce((sum, record) => sum + record.experts.used, 0);
  const dropped = results.reduce((sum, record) => sum + record.experts.dropped, 0);
  return used + dropped === 0 ? 0 : dropped / (used + dropped);
};

// The share correct of the scored items; null when none was scored (a simulated run).
const accuracyOf = (results: Series['results']): number | null => {
  const scored = results.filter((record) => record.correct !== null);
  return scored.length === 0 ? null : scored.filter((record) => record.correct === true).length / scored.length;
};

// One row per series (the baseline's own row has delta 0 and ratios 1); a series sharing no dataset with
// the baseline has no row.
export function comparisonRows(series: readonly Series[], baseline: Series): ComparisonRow[] {
  const baselineDatasets = new Set(baseline.results.map((record) => record.dataset));
  return series.flatMap((one) => {
    const datasets = inOrder(one.results.map((record) => record.dataset)).filter((dataset) => baselineDatasets.has(dataset));
    if (datasets.length === 0) return [];
    const shared = new Set(datasets);
    const mine = one.results.filter((record) => shared.has(record.dataset));
    const theirs = baseline.results.filter((record) => shared.has(record.dataset));
    const latency = latencyRowOf(one.ref, mine);
    const base = latencyRowOf(baseline.ref, theirs);
    const acc = accuracyOf(mine);
    const baseAcc = accuracyOf(theirs);
    return [{
      ...one.ref,
      baseline: baseline.ref.series,
      datasets,
      n: mine.length,
      acc,
      acc_delta: acc === null || baseAcc === null ? null : acc - baseAcc,
      mean_ms: latency.mean_ms,
      mean_delta_ms: latency.mean_ms - base.mean_ms,
      mean_ratio: latency.mean_ms / base.mean_ms,
      p50_ratio: latency.p50_ms / base.p50_ms,
      p99_ratio: latency.p99_ms / base.p99_ms,
      dropped_share_delta: droppedShare(mine) - droppedShare(theirs),
    }];
  });
}
