import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseTestbedView } from '../../src/report/testbed-view.js';
import { run } from './helpers.js';

test('a resolved testbed.yaml gives devices, links, radios, placement and the cell', () => {
  const view = parseTestbedView(readFileSync(path.join(run('wireless'), 'testbed.yaml'), 'utf8'));
  assert.ok('testbed' in view);
  const { testbed } = view;
  assert.equal(testbed.name, 'loopback-wireless');
  assert.deepEqual(testbed.cell, { downlink_bandwidth_hz: 20e6, uplink_bandwidth_hz: 20e6, fading: 'rayleigh' });
  assert.deepEqual(testbed.devices.map((device) => device.radio?.distance_m), [60, 110, 160, 220]);
  assert.deepEqual(testbed.devices[0]!.uplink, { rate_bits_per_sec: null, delay_ms: 2, jitter_ms: 0, loss_rate: 0, model: null, trace: null });
  assert.deepEqual(testbed.devices[0]!.experts, ['0.0', '0.4', '1.0', '1.4', '2.0', '2.4', '3.0', '3.4']);
});

test('keys this version does not know are ignored; a trace names its file', () => {
  const view = parseTestbedView('name: t\nfuture: 1\ndevices:\n  - { name: d, link: { uplink: { rateBitsPerSec: 5, trace: { path: /x/up.csv, sha256: ab } } }, brandNew: true }\n');
  assert.ok('testbed' in view, JSON.stringify(view));
  assert.equal(view.testbed.devices[0]!.uplink.trace, 'up.csv');
  assert.equal(view.testbed.cell, null);
  assert.equal(view.testbed.devices[0]!.radio, null);
});

test('what cannot be a testbed is a problem to note, never a throw', () => {
  assert.match((parseTestbedView('name: t\n') as { problem: string }).problem, /^field "devices": /);
  assert.match((parseTestbedView('a: [') as { problem: string }).problem, /^not valid YAML/);
});
