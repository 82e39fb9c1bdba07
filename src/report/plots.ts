// The Vega-Lite specs of the report's summary plots, with their data inline: latency CDF per series,
// stacked mean breakdown per series, accuracy vs mean latency (the papers' trade-off plot, 95% Wilson
// bars), per-device load. Specs only — vega.ts renders them. Pure; called by html.ts.

import type { TopLevelSpec } from 'vega-lite';
import type { Report } from './report-types.js';
import type { Series } from './series.js';
import { wilsonInterval95 } from './statistics.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json'; // an identifier only; nothing is fetched
const WIDTH = 520;
const BREAKDOWN_PARTS = [
  ['bs_compute_ms', 'BS compute'], ['downlink_ms', 'downlink'], ['device_compute_ms', 'device compute'], ['uplink_ms', 'uplink'], ['other_ms', 'other'],
] as const;

const seriesOrder = (report: Report): string[] => report.latency.map((row) => row.series);

// Empirical CDF of each item's total latency, one step line per series.
export function latencyCdfSpec(series: readonly Series[]): TopLevelSpec {
  const values = series.flatMap((one) => one.results.map((record) => ({ series: one.ref.series, latency_ms: record.latency_ms.total })));
  return {
    $schema: SCHEMA,
    title: 'Latency CDF per policy',
    width: WIDTH,
    height: 260,
    data: { values },
    transform: [{ window: [{ op: 'cume_dist', as: 'fraction' }], sort: [{ field: 'latency_ms' }], groupby: ['series'] }],
    mark: { type: 'line', interpolate: 'step-after', point: values.length <= 60 },
    encoding: {
      x: { field: 'latency_ms', type: 'quantitative', title: 'item latency (ms)' },
      y: { field: 'fraction', type: 'quantitative', title: 'fraction of items ≤ x', scale: { domain: [0, 1] } },
      color: { field: 'series', type: 'nominal', title: 'policy', sort: series.map((one) => one.ref.series) },
    },
  };
}

// Mean per-item latency split into its parts, one stacked bar per series.
export function breakdownSpec(report: Report): TopLevelSpec {
  const values = report.breakdown.flatMap((row) => BREAKDOWN_PARTS.map(([key, part], order) => ({ series: row.series, part, order, ms: row[key] })));
  return {
    $schema: SCHEMA,
    title: 'Mean latency breakdown per policy',
    width: WIDTH,
    height: 40 + 28 * report.breakdown.length,
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'series', type: 'nominal', title: 'policy', sort: seriesOrder(report) },
      x: { field: 'ms', type: 'quantitative', stack: 'zero', title: 'mean latency per item (ms)' },
      color: { field: 'part', type: 'nominal', title: 'part', sort: BREAKDOWN_PARTS.map(([, part]) => part) },
      order: { field: 'order', type: 'quantitative' },
      tooltip: [{ field: 'series' }, { field: 'part' }, { field: 'ms', format: '.2f' }],
    },
  };
}

// Accuracy over all items against mean latency, one point per series with its 95% interval; null when no
// series was scored (a simulated run).
export function tradeoffSpec(report: Report): TopLevelSpec | null {
  const values = report.latency.flatMap((latency) => {
    const rows = report.accuracy.filter((row) => row.series === latency.series);
    if (rows.length === 0) return [];
    const n = rows.reduce((sum, row) => sum + row.n, 0);
    const correct = rows.reduce((sum, row) => sum + row.correct, 0);
    const [low, high] = wilsonInterval95(correct, n);
    return [{ series: latency.series, mean_ms: latency.mean_ms, acc: correct / n, low, high }];
  });
  if (values.length === 0) return null;
  const x = { field: 'mean_ms', type: 'quantitative', title: 'mean latency per item (ms)', scale: { zero: false, padding: 24 } } as const;
  const color = { field: 'series', type: 'nominal', title: 'policy', sort: seriesOrder(report) } as const;
  return {
    $schema: SCHEMA,
    title: 'Accuracy vs mean latency (95% Wilson interval)',
    width: WIDTH,
    height: 260,
    data: { values },
    layer: [
      { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x, y: { field: 'low', type: 'quantitative', title: 'accuracy (all items)', scale: { domain: [0, 1] } }, y2: { field: 'high' }, color } },
      { mark: { type: 'point', filled: true, size: 90 }, encoding: { x, y: { field: 'acc', type: 'quantitative' }, color } },
      { mark: { type: 'text', dx: 8, align: 'left', baseline: 'middle' }, encoding: { x, y: { field: 'acc', type: 'quantitative' }, text: { field: 'series' } } },
    ],
  };
}

// Token rows and busy (compute) time per device, bars grouped by series; null without layers.jsonl.
export function deviceLoadSpec(report: Report): TopLevelSpec | null {
  if (report.devices.length === 0) return null;
  const values = report.devices.map((row) => ({ series: row.series, device: row.device, token_rows: row.token_rows, busy_ms: row.compute_ms, link_ms: row.link_ms }));
  const panel = (field: string, title: string) => ({
    width: Math.max(220, Math.min(WIDTH, 24 * values.length)),
    height: 200,
    mark: 'bar' as const,
    encoding: {
      x: { field: 'device', type: 'nominal' as const, title: 'device', sort: null },
      xOffset: { field: 'series', type: 'nominal' as const, sort: seriesOrder(report) },
      y: { field, type: 'quantitative' as const, title },
      color: { field: 'series', type: 'nominal' as const, title: 'policy', sort: seriesOrder(report) },
    },
  });
  return {
    $schema: SCHEMA,
    title: 'Per-device load',
    data: { values },
    vconcat: [panel('token_rows', 'token rows served'), panel('busy_ms', 'busy (compute) ms'), panel('link_ms', 'link time ms (down + up)')],
  };
}
