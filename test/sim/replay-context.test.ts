// A recorded layer back into the PolicyContext the policy saw: top-k probabilities in an n×E array,
// link states with the SNR back from dB, devices in testbed order with their profile compute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LayerRecord } from '../../src/records/index.js';
import { contextOfRecord, gateProbsOfRouting, linkStateOfRecord } from '../../src/sim/replay-context.js';
import type { ReplayRun } from '../../src/sim/replay-run.js';

test('gate probabilities hold each token\'s recorded top-k at its experts and 0 elsewhere', () => {
  const probs = gateProbsOfRouting({ k: 2, experts: [3, 1, 0, 2], probs: [0.6, 0.3, 0.5, 0.25], kept: [1, 1, 1, 0] }, 2, 4);
  assert.deepEqual([...probs].map((p) => Math.round(p * 100) / 100), [0, 0.3, 0, 0.6, 0.5, 0, 0.25, 0]);
});

test('a recorded wireless link state gets its linear SNR back, a fixed one its rate and pool', () => {
  const radio = linkStateOfRecord({ model: 'shannon', bandwidth_hz: 2e7, snr_db: 20, delay_ms: 2, jitter_ms: 0, loss: 0 });
  assert.equal(radio.model, 'shannon');
  assert.ok(radio.model === 'shannon' && Math.abs(radio.snr - 100) < 1e-9 && radio.bandwidthHz === 2e7 && radio.delayMs === 2);
  assert.deepEqual(linkStateOfRecord({ model: 'fixed', rate_bits_per_sec: 1e8, pool_bits_per_sec: 8e8, delay_ms: 1, jitter_ms: 0.5, loss: 0.01 }),
    { model: 'fixed', rateBitsPerSec: 1e8, poolBitsPerSec: 8e8, delayMs: 1, jitterMs: 0.5, lossRate: 0.01 });
});

test('the context has the run\'s devices in testbed order, their compute, the layer\'s placement and the recorded links', () => {
  const fixed = { model: 'fixed', rate_bits_per_sec: 5e7, pool_bits_per_sec: null, delay_ms: 3, jitter_ms: 0, loss: 0 } as const;
  const run = {
    hiddenSize: 8, numExperts: 2, topK: 1, normalizeTopK: true,
    devices: [{ name: 'a', compute: { fixedMs: 0.1, perTokenMs: 0.01 } }, { name: 'b', compute: { fixedMs: 0.2, perTokenMs: 0.02 } }],
    expertDevices: [[[0], [1]], [[1], [0]]],
  } as unknown as ReplayRun;
  const line = {
    layer: 1, tokens: 1, routing: { k: 1, experts: [1], probs: [0.9], kept: [1] },
    link_states: [{ device: 'b', downlink: fixed, uplink: fixed }, { device: 'a', downlink: { ...fixed, delay_ms: 7 }, uplink: fixed }],
  } as unknown as LayerRecord;
  const ctx = contextOfRecord(run, line, () => 0.5);
  assert.deepEqual(ctx.devices.map((device) => device.name), ['a', 'b']);
  assert.equal(ctx.devices[0]!.downlink.delayMs, 7, 'link states are matched by device name, not position');
  assert.deepEqual(ctx.devices[1]!.compute, { fixedMs: 0.2, perTokenMs: 0.02 });
  assert.deepEqual(ctx.expertDevices, [[1], [0]]);
  assert.equal(ctx.layer, 1);
  assert.ok(Math.abs(ctx.gateProbs[1]! - 0.9) < 1e-6 && ctx.gateProbs[0] === 0);
});
