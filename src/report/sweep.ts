// A simulated sweep in the report (sweep.json, written by `wdmoe simulate --sweep … --out`): one row per
// (value, policy), and the papers' kind of figure, mean latency against the swept parameter (devices,
// bandwidth, distance, θ), one line per policy, one panel per sweep run. Pure; called by build-report.ts and
// html.ts.

import type { TopLevelSpec } from 'vega-lite';
import type { Report, SweepRow } from './report-types.js';
import type { RunFolder } from './run-folder.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json'; // an identifier only; nothing is fetched

// The sweep rows of every run that is a sweep, in run order.
export function sweepRows(runs: readonly RunFolder[]): SweepRow[] {
  return runs.flatMap((folder) => (folder.sweep ?? []).map((row) => ({ run: folder.label, ...row })));
}

const AXIS: Readonly<Record<SweepRow['parameter'], { title: string; scale: number; isLog: boolean }>> = {
  devices: { title: 'number of devices', scale: 1, isLog: true },
  bandwidth: { title: 'bandwidth (MHz)', scale: 1e-6, isLog: true },
  distance: { title: 'distance to the BS (m)', scale: 1, isLog: false },
  theta: { title: 'θ', scale: 1, isLog: false },
};

// Mean latency (with a p50–p90 bar) against the swept value, one line per policy; one panel per (run,
// parameter), side by side. null when no run is a sweep.
export function sweepSpec(report: Pick<Report, 'sweep'>): TopLevelSpec | null {
  if (report.sweep.length === 0) return null;
  const panels = [...new Set(report.sweep.map((row) => `${row.run}\0${row.parameter}`))].map((key) => {
    const [run, parameter] = key.split('\0') as [string, SweepRow['parameter']];
    const axis = AXIS[parameter];
    const values = report.sweep.filter((row) => row.run === run && row.parameter === parameter)
      .map((row) => ({ policy: row.policy, x: row.value * axis.scale, mean_ms: row.mean_ms, p50_ms: row.p50_ms, p90_ms: row.p90_ms, dropped: row.dropped_share }));
    const xs = values.map((value) => value.x);
    const domain = [Math.min(...xs), Math.max(...xs)];
    const x = { field: 'x', type: 'quantitative', title: axis.title, scale: axis.isLog ? { type: 'log', domain, nice: false } : { zero: false, domain, nice: false } } as const;
    const color = { field: 'policy', type: 'nominal', title: 'policy', sort: null } as const;
    return {
      title: `mean latency vs ${axis.title} (${run})`,
      width: 360,
      height: 260,
      data: { values },
      layer: [
        { mark: { type: 'rule', strokeWidth: 2, opacity: 0.6 }, encoding: { x, y: { field: 'p50_ms', type: 'quantitative' }, y2: { field: 'p90_ms' }, color } },
        {
          mark: { type: 'line', point: true },
          encoding: {
            x, color,
            y: { field: 'mean_ms', type: 'quantitative', title: 'ms per batch (mean; bar: p50–p90)', scale: { type: 'log' } },
            tooltip: [{ field: 'policy' }, { field: 'x', title: axis.title }, { field: 'mean_ms', format: '.1f' }, { field: 'p90_ms', format: '.1f' }, { field: 'dropped', format: '.1%' }],
          },
        },
      ],
    };
  });
  return { $schema: SCHEMA, hconcat: panels } as TopLevelSpec;
}
