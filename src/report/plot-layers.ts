// The per-layer plot of a series from layers.jsonl: each MoE layer's latency over the run, with the link
// rate in force per device and direction beneath it, and each device's bandwidth share where the layers
// format records one. The x axis is the channel clock (`channel_time_ms`) when every line has it, else
// the line's position in the run. Long runs are thinned to at most MAX_POINTS lines (every k-th), which
// the subtitle says. Spec only — vega.ts renders it. Pure; called by html.ts.

import type { TopLevelSpec } from 'vega-lite';
import type { Series } from './series.js';
import type { LayerLine } from './run-folder.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const MAX_POINTS = 1500;
const WIDTH = 520;

// This series' layer lines, thinned to MAX_POINTS, with their x value.
function pointsOf(series: Series): { lines: { x: number; line: LayerLine }[]; byClock: boolean; step: number } {
  const all = (series.folder.layers ?? []).filter((line) => line.policy === series.ref.policy);
  const byClock = all.length > 0 && all.every((line) => typeof line.channel_time_ms === 'number');
  const step = Math.max(1, Math.ceil(all.length / MAX_POINTS));
  const lines = all.flatMap((line, index) => (index % step === 0 ? [{ x: byClock ? (line.channel_time_ms as number) : index, line }] : []));
  return { lines, byClock, step };
}

// The spec for one series, or null when it has no layer lines.
export function layerTimelineSpec(series: Series): TopLevelSpec | null {
  const { lines, byClock, step } = pointsOf(series);
  if (lines.length === 0) return null;
  const x = { field: 'x', type: 'quantitative', title: byClock ? 'channel time (ms)' : 'layer call (position in the run)' } as const;
  const latency = lines.map(({ x: at, line }) => ({ x: at, latency_ms: line.latency_ms, layer: line.layer }));
  const rates = lines.flatMap(({ x: at, line }) => line.devices.flatMap((entry) => [
    ...(entry.downlink_rate_bits_per_sec === null ? [] : [{ x: at, device: entry.device, direction: 'downlink', mbit_per_sec: entry.downlink_rate_bits_per_sec / 1e6 }]),
    ...(entry.uplink_rate_bits_per_sec === null ? [] : [{ x: at, device: entry.device, direction: 'uplink', mbit_per_sec: entry.uplink_rate_bits_per_sec / 1e6 }]),
  ]));
  const shares = lines.flatMap(({ x: at, line }) => line.devices.flatMap((entry) => (typeof entry.share === 'number' ? [{ x: at, device: entry.device, share: entry.share }] : [])));
  const panels: NonNullable<Extract<TopLevelSpec, { vconcat: unknown }>['vconcat']> = [{
    width: WIDTH,
    height: 180,
    data: { values: latency },
    // On the channel clock every layer of an item shares one moment: points, since a line would zigzag.
    mark: byClock ? { type: 'point', filled: true, size: 14 } : { type: 'line', strokeWidth: 1 },
    encoding: { x, y: { field: 'latency_ms', type: 'quantitative', title: 'layer latency (ms)' } },
  }];
  if (rates.length > 0) {
    panels.push({
      width: WIDTH,
      height: 140,
      data: { values: rates },
      mark: { type: 'line', strokeWidth: 1, interpolate: 'step-after' },
      encoding: {
        x,
        y: { field: 'mbit_per_sec', type: 'quantitative', title: 'link rate (Mbit/s)' },
        color: { field: 'device', type: 'nominal', title: 'device' },
        strokeDash: { field: 'direction', type: 'nominal', title: 'direction' },
      },
    });
  }
  if (shares.length > 0) {
    panels.push({
      width: WIDTH,
      height: 120,
      data: { values: shares },
      mark: { type: 'line', strokeWidth: 1, interpolate: 'step-after' },
      encoding: { x, y: { field: 'share', type: 'quantitative', title: 'bandwidth share', scale: { domain: [0, 1] } }, color: { field: 'device', type: 'nominal', title: 'device' } },
    });
  }
  return {
    $schema: SCHEMA,
    title: {
      text: `Per-layer latency and link rates: ${series.ref.series}`,
      subtitle: step > 1 ? `${lines.length} of the layer lines (1 in every ${step})` : `${lines.length} layer lines`,
    },
    vconcat: panels,
    resolve: { scale: { color: 'independent' } },
  };
}
