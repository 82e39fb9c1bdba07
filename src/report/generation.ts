// Generation runs (--task generate): time to first token and time per output token per series, from
// generations.jsonl. Series without generation lines have no row. Pure; called by build-report.ts.

import { resultKey } from '../records/index.js';
import type { GenerationRow } from './report-types.js';
import type { Series } from './series.js';
import { spreadOf } from './statistics.js';

// One row per series that generated.
export function generationRows(series: readonly Series[]): GenerationRow[] {
  return series.flatMap((one) => {
    const finished = new Set(one.results.map((record) => resultKey(record.dataset, record.policy, record.id)));
    const lines = one.folder.generations.filter((line) => finished.has(resultKey(line.dataset, line.policy, line.id)));
    if (lines.length === 0) return [];
    const tpot = lines.flatMap((line) => line.tpot_ms);
    const tpotSpread = tpot.length === 0 ? null : spreadOf(tpot);
    return [{ ...one.ref, n: lines.length, ttft_p50_ms: spreadOf(lines.map((line) => line.ttft_ms)).p50, tpot_p50_ms: tpotSpread?.p50 ?? null, tpot_p99_ms: tpotSpread?.p99 ?? null }];
  });
}
