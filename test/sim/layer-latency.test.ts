// The papers' layer latency on hand-computed cases: transfer at the share's rate + delay + profile compute,
// the max over devices, equal shares when the policy gives none, and the expected maximum with residuals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LinkState, PolicyContext, PolicyDecision } from '../../src/policy/index.js';
import { expectedMaxMs, predictLayer } from '../../src/sim/layer-latency.js';

const fixed = (rateBitsPerSec: number | null, poolBitsPerSec: number | null = null, delayMs = 1): LinkState =>
  ({ model: 'fixed', rateBitsPerSec, poolBitsPerSec, delayMs, jitterMs: 0, lossRate: 0 });

// hidden 250 × 4 bytes = 1000 bytes per token row.
function context(links: LinkState[], compute = { fixedMs: 0.5, perTokenMs: 0.1 }): PolicyContext {
  return {
    layer: 0, tokens: 2, numExperts: links.length, topK: 1, normalizeTopK: true,
    gateProbs: new Float32Array(2 * links.length), hiddenSize: 250, bytesPerValue: 4,
    devices: links.map((link, d) => ({ name: `dev-${d}`, downlink: link, uplink: link, compute, available: true })),
    expertDevices: links.map((_, d) => [d]), random: () => 0.5,
  };
}

const decision = (experts: number[], slotDevice: number[], share: number[] | null = null): PolicyDecision => ({
  k: 1, experts: Uint16Array.from(experts), weights: new Float32Array(experts.length).fill(1), slotDevice: Int32Array.from(slotDevice),
  bandwidthShare: share === null ? null : Float64Array.from(share),
});

test('one device: 2 rows of 1000 bytes at 80 Mbit/s + 1 ms each way, 1 run × 0.5 + 2 pairs × 0.1 ms, after 2 ms of BS work', () => {
  const layer = predictLayer(context([fixed(80e6)]), decision([0, 0], [0, 0]), 2);
  assert.ok(Math.abs(layer.downlinkMs - 1.2) < 1e-9, `downlink ${layer.downlinkMs}`);
  assert.ok(Math.abs(layer.uplinkMs - 1.2) < 1e-9);
  assert.ok(Math.abs(layer.deviceComputeMs - 0.7) < 1e-9);
  assert.ok(Math.abs(layer.totalMs - 5.1) < 1e-9, `total ${layer.totalMs}`);
  assert.equal(layer.criticalDevice, 0);
  assert.equal(layer.kept, 2);
});

test('the slowest device sets the layer: a pooled link at an equal share of 1/2 of 40 Mbit/s is slower than an 80 Mbit/s one', () => {
  // dev-1: min(100 Mbit/s, 0.5 × 40 Mbit/s) = 20 Mbit/s → 1 row = 8000 bits → 0.4 ms + 1 ms each way; compute 0.6.
  const layer = predictLayer(context([fixed(80e6), fixed(100e6, 40e6)]), decision([0, 1], [0, 1]), 0);
  assert.equal(layer.criticalDevice, 1);
  assert.ok(Math.abs(layer.totalMs - (1.4 + 0.6 + 1.4)) < 1e-9, `total ${layer.totalMs}`);
  assert.deepEqual([...layer.shares], [0.5, 0.5]);
});

test('the policy\'s shares set the rate of a wireless link: b·B·log2(1 + snr/b)', () => {
  const radio: LinkState = { model: 'shannon', bandwidthHz: 1e6, snr: 3, delayMs: 0, jitterMs: 0, lossRate: 0 };
  // share 1: 1 MHz × log2(4) = 2 Mbit/s; 2 rows = 16000 bits → 8 ms each way.
  const layer = predictLayer(context([radio], { fixedMs: 0, perTokenMs: 0 }), decision([0, 0], [0, 0], [1]), 0);
  assert.ok(Math.abs(layer.totalMs - 16) < 1e-9, `total ${layer.totalMs}`);
});

test('a layer where no device runs anything costs the BS work alone', () => {
  const layer = predictLayer(context([fixed(80e6)]), decision([0xffff, 0xffff], [-1, -1]), 3, { residualsMs: [5], fanOutMs: 1 });
  assert.equal(layer.totalMs, 3);
  assert.equal(layer.criticalDevice, -1);
});

test('the expected maximum adds a constant residual, averages one device\'s residuals, and grows with more noisy devices', () => {
  assert.equal(expectedMaxMs([2, 3], [1]), 4);
  assert.equal(expectedMaxMs([2, 3], []), 3);
  assert.ok(Math.abs(expectedMaxMs([0], [0, 2]) - 1) < 1e-9);
  // Two devices with residuals 0 or 2 each, independent: E[max] = 2 · P(any is 2) = 1.5.
  assert.ok(Math.abs(expectedMaxMs([0, 0], [0, 2]) - 1.5) < 0.1, `${expectedMaxMs([0, 0], [0, 2])}`);
  const many = expectedMaxMs(new Array(8).fill(0), [0, 1, 2, 3]);
  assert.ok(many > 2.5 && many <= 3, `E[max] of 8 draws of 0..3 is near 3, got ${many}`);
});
