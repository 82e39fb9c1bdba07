import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeLink, describeRate } from '../../src/report/link-text.js';
import type { LinkView, TestbedView } from '../../src/report/testbed-view.js';

const link = (over: Partial<LinkView> = {}): LinkView => ({ rate_bits_per_sec: 20e6, delay_ms: 2, jitter_ms: 0, loss_rate: 0, model: null, trace: null, ...over });
const device = (over: Partial<TestbedView['devices'][number]> = {}): TestbedView['devices'][number] =>
  ({ name: 'dev-0', host: null, profile: null, uplink: link(), downlink: link(), radio: null, experts: [], ...over });

test('a link is described by what drives it: radio, trace or fixed', () => {
  assert.equal(describeLink(device()), 'fixed');
  assert.equal(describeLink(device({ radio: { distance_m: 60, path_gain_db: null, tx_power_dbm: 23 } })), 'radio 60 m, 23 dBm');
  assert.equal(describeLink(device({ radio: { distance_m: null, path_gain_db: -110, tx_power_dbm: null } })), 'radio path gain -110 dB');
  assert.equal(describeLink(device({ uplink: link({ trace: 'up.csv' }) })), 'trace up.csv / fixed (up / down)');
});

test('a rate reads in Mbit/s, or names what sets it', () => {
  assert.equal(describeRate(device(), 'uplink'), '20.0');
  assert.equal(describeRate(device({ downlink: link({ rate_bits_per_sec: null }) }), 'downlink'), 'unshaped');
  assert.equal(describeRate(device({ radio: { distance_m: 60, path_gain_db: null, tx_power_dbm: 23 }, uplink: link({ rate_bits_per_sec: null }) }), 'uplink'), 'channel');
  assert.equal(describeRate(device({ uplink: link({ trace: 'up.csv' }) }), 'uplink'), 'trace');
});
