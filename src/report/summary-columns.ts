// The columns every summary rendering shows (terminal table, Markdown, CSV), so the three never disagree.
// Used by table.ts, markdown.ts and csv.ts; imports only the summary type.

import type { SummaryGroup } from '../records/index.js';

export interface SummaryColumn {
  readonly header: string;            // shown in the table and Markdown
  readonly csvHeader: string;         // machine-friendly, units in the name
  readonly align: 'left' | 'right';
  readonly value: (group: SummaryGroup) => string | number | null;
  readonly digits?: number;           // decimals shown for numbers in text renderings
}

const ms = (header: string, csvHeader: string, value: (group: SummaryGroup) => number): SummaryColumn =>
  ({ header, csvHeader, align: 'right', value, digits: 2 });

export const SUMMARY_COLUMNS: readonly SummaryColumn[] = [
  { header: 'dataset', csvHeader: 'dataset', align: 'left', value: (g) => g.dataset },
  { header: 'policy', csvHeader: 'policy', align: 'left', value: (g) => g.policy },
  { header: 'n', csvHeader: 'n', align: 'right', value: (g) => g.n },
  { header: 'acc', csvHeader: 'acc', align: 'right', value: (g) => g.acc, digits: 3 },
  { header: 'acc_norm', csvHeader: 'acc_norm', align: 'right', value: (g) => g.acc_norm, digits: 3 },
  ms('mean ms', 'latency_mean_ms', (g) => g.latency_ms.mean),
  ms('p50 ms', 'latency_p50_ms', (g) => g.latency_ms.p50),
  ms('p90 ms', 'latency_p90_ms', (g) => g.latency_ms.p90),
  ms('p99 ms', 'latency_p99_ms', (g) => g.latency_ms.p99),
  ms('bs ms', 'bs_compute_ms', (g) => g.breakdown_ms.bs_compute),
  ms('down ms', 'downlink_ms', (g) => g.breakdown_ms.downlink),
  ms('dev ms', 'device_compute_ms', (g) => g.breakdown_ms.device_compute),
  ms('up ms', 'uplink_ms', (g) => g.breakdown_ms.uplink),
  ms('other ms', 'other_ms', (g) => g.breakdown_ms.other),
];

// Generation runs (--task generate) add time to first token and time per output token.
const GENERATION_COLUMNS: readonly SummaryColumn[] = [
  { header: 'ttft p50 ms', csvHeader: 'ttft_p50_ms', align: 'right', value: (g) => g.ttft_ms?.p50 ?? null, digits: 2 },
  { header: 'tpot p50 ms', csvHeader: 'tpot_p50_ms', align: 'right', value: (g) => g.tpot_ms?.p50 ?? null, digits: 2 },
  { header: 'tpot p99 ms', csvHeader: 'tpot_p99_ms', align: 'right', value: (g) => g.tpot_ms?.p99 ?? null, digits: 2 },
];

// The columns for a summary: the common ones, plus TTFT/TPOT when any group comes from generation.
export function columnsFor(groups: readonly SummaryGroup[]): readonly SummaryColumn[] {
  return groups.some((group) => group.ttft_ms !== undefined) ? [...SUMMARY_COLUMNS, ...GENERATION_COLUMNS] : SUMMARY_COLUMNS;
}

// A cell as text: numbers with the column's decimals, null as "–".
export function formatCell(column: SummaryColumn, group: SummaryGroup): string {
  const value = column.value(group);
  if (value === null) return '–';
  if (typeof value === 'number') return column.digits === undefined ? String(value) : value.toFixed(column.digits);
  return value;
}
