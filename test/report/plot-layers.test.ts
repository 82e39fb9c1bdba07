import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerTimelineSpec } from '../../src/report/plot-layers.js';
import { splitSeries } from '../../src/report/series.js';
import { renderVegaLiteSvg } from '../../src/report/vega.js';
import { folderWith, layerLine } from './helpers.js';

const panels = (spec: unknown) => (spec as { vconcat: { data: { values: Record<string, unknown>[] }; encoding: { x: { title: string }; y: { title: string } } }[] }).vconcat;

test('newer layer lines plot over the channel clock with a bandwidth-share panel', async () => {
  const [series] = splitSeries([folderWith([0, 1, 2, 3].map((i) => layerLine(i, { newer: true })))]);
  const spec = layerTimelineSpec(series!)!;
  const [latency, rates, shares] = panels(spec);
  assert.equal(panels(spec).length, 3);
  assert.equal(latency!.encoding.x.title, 'channel time (ms)');
  assert.deepEqual(latency!.data.values.map((value) => value['x']), [0, 100, 200, 300]);
  assert.deepEqual(latency!.data.values.map((value) => value['latency_ms']), [7, 8, 9, 10]);
  assert.deepEqual(rates!.data.values.slice(0, 2), [
    { x: 0, device: 'dev-0', direction: 'downlink', mbit_per_sec: 20 },
    { x: 0, device: 'dev-0', direction: 'uplink', mbit_per_sec: 10 },
  ]);
  assert.deepEqual(shares!.data.values.map((value) => value['share']).slice(0, 2), [0.25, 0.75]);
  assert.match(await renderVegaLiteSvg(spec), /^<svg[\s\S]*class="mark-line role-mark[\s\S]*<\/svg>$/);
});

test('format-1 layer lines (no clock, no share) plot over their position with latency and rates only', () => {
  const [series] = splitSeries([folderWith([0, 1, 2].map((i) => layerLine(i, { newer: false })))]);
  const spec = layerTimelineSpec(series!)!;
  assert.equal(panels(spec).length, 2);
  assert.equal(panels(spec)[0]!.encoding.x.title, 'layer call (position in the run)');
  assert.deepEqual(panels(spec)[0]!.data.values.map((value) => value['x']), [0, 1, 2]);
});

test('a series without layer lines has no per-layer plot; other policies\' lines are not drawn', () => {
  const folder = folderWith([layerLine(0, { newer: false, policy: 'topk' })]);
  const [series] = splitSeries([{ ...folder, layers: [] }]);
  assert.equal(layerTimelineSpec(series!), null);
});

test('a long run is thinned to at most 1500 lines and says so', () => {
  const lines = Array.from({ length: 4000 }, (_, i) => layerLine(i % 50, { newer: false }));
  const [series] = splitSeries([folderWith(lines)]);
  const spec = layerTimelineSpec(series!)! as unknown as { title: { subtitle: string } };
  assert.ok(panels(spec)[0]!.data.values.length <= 1500);
  assert.equal(spec.title.subtitle, '1334 of the layer lines (1 in every 3)');
});

test('on the channel clock layer latencies are points (layers of one item share a moment); by position a line', () => {
  const mark = (newer: boolean) => (panels(layerTimelineSpec(splitSeries([folderWith([0, 1].map((i) => layerLine(i, { newer })))])[0]!)!)[0] as unknown as { mark: { type: string } }).mark.type;
  assert.equal(mark(true), 'point');
  assert.equal(mark(false), 'line');
});
