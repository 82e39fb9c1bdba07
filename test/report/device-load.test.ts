import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceLoadRows } from '../../src/report/device-load.js';
import { splitSeries } from '../../src/report/series.js';
import { folderWith, layerLine } from './helpers.js';

test('per-device load sums rows, bytes and times per device and averages the bandwidth share when recorded', () => {
  const lines = [0, 1, 2].map((i) => layerLine(i, { newer: true }));
  const rows = deviceLoadRows(splitSeries([folderWith(lines)]));
  assert.deepEqual(rows.map((row) => row.device), ['dev-0', 'dev-1']);
  const [first, second] = rows;
  assert.equal(first!.layer_calls, 3);
  assert.equal(first!.token_rows, 4 + 5 + 6);
  assert.equal(first!.downlink_bytes, 1000 + 2000 + 3000);
  assert.equal(first!.uplink_bytes, 500 + 1000 + 1500);
  assert.equal(first!.compute_ms, 2 + 3 + 4);
  assert.equal(first!.link_ms, 3 * (1 + 3));
  assert.equal(first!.critical, 2, 'lines 0 and 2 name dev-0 critical');
  assert.ok(Math.abs(first!.mean_share! - (0.25 + 0.35 + 0.45) / 3) < 1e-12);
  assert.equal(second!.critical, 1);
  assert.equal(second!.policy, 'wdmoe:theta=0.3', 'policy labels with parameters are kept whole');
});

test('format-1 lines have no share: mean_share is null; a run without layers.jsonl has no rows', () => {
  const rows = deviceLoadRows(splitSeries([folderWith([layerLine(0, { newer: false })])]));
  assert.deepEqual(rows.map((row) => row.mean_share), [null, null]);
  assert.deepEqual(deviceLoadRows(splitSeries([{ ...folderWith([layerLine(0, { newer: false })]), layers: null }])), []);
});

test('devices sort by name with numbers in order (dev-2 before dev-10)', () => {
  const line = layerLine(0, { newer: false });
  const renamed = { ...line, devices: [{ ...line.devices[0]!, device: 'dev-10' }, { ...line.devices[1]!, device: 'dev-2' }] };
  assert.deepEqual(deviceLoadRows(splitSeries([folderWith([renamed])])).map((row) => row.device), ['dev-2', 'dev-10']);
});
