// Experts run and dropped per series, from results.jsonl's `experts` (summed over items): what a policy
// that skips experts (top1, wdmoe) gives up against topk. Pure; called by build-report.ts.

import type { ExpertsRow } from './report-types.js';
import type { Series } from './series.js';

// One row per series.
export function expertsRows(series: readonly Series[]): ExpertsRow[] {
  return series.map((one) => {
    const used = one.results.reduce((sum, record) => sum + record.experts.used, 0);
    const dropped = one.results.reduce((sum, record) => sum + record.experts.dropped, 0);
    return {
      ...one.ref,
      items: one.results.length,
      used,
      dropped,
      dropped_share: used + dropped === 0 ? 0 : dropped / (used + dropped),
      dropped_per_item: dropped / one.results.length,
    };
  });
}
