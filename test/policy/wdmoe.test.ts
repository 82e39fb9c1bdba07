// The joint policy (WLR selection alternated with bandwidth allocation) and the `bw` baseline on a small
// wireless layer: what they keep, the shares they return, and that they cut the estimated layer latency.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_EXPERT_SLOT, POLICIES, estimateDeviceMs, equalShares, jointSelection, workOfSlots, type PolicyContext, type PolicyDecision } from '../../src/policy/index.js';
import { context, radioDevice } from './helpers.js';

// 12 tokens over 4 experts on 4 devices, one of them (device 3) in a deep fade.
function fadedLayer(): PolicyContext {
  const probs = Array.from({ length: 12 }, (_, t) => {
    const row = [0.1, 0.1, 0.1, 0.1];
    row[t % 4] = 0.45;
    row[(t + 1) % 4] = 0.35;
    return row;
  });
  const compute = { fixedMs: 0.2, perTokenMs: 0.01 };
  const devices = [radioDevice('d0', 2e4, { compute }), radioDevice('d1', 1e4, { compute }), radioDevice('d2', 5e3, { compute }), radioDevice('d3', 5, { compute })];
  return context(probs, { devices, hiddenSize: 256 });
}

function layerMs(ctx: PolicyContext, decision: PolicyDecision): number {
  const work = workOfSlots(decision.experts, decision.slotDevice, decision.k, ctx.devices.length);
  const shares = decision.bandwidthShare ?? equalShares(work);
  return Math.max(...ctx.devices.map((d, i) => estimateDeviceMs(d, work[i]!, shares[i]!, ctx.hiddenSize * ctx.bytesPerValue)));
}

test('wdmoe cuts the estimated layer latency below topk and bw, mostly by sparing the faded device', () => {
  const ctx = fadedLayer();
  const topk = POLICIES.topk.create({})(ctx);
  const bw = POLICIES.bw.create({})(ctx);
  const wdmoe = POLICIES.wdmoe.create({ theta: 0.5, rounds: 5 })(ctx);
  const [t, b, w] = [layerMs(ctx, topk), layerMs(ctx, bw), layerMs(ctx, wdmoe)];
  assert.ok(b < t, `bw ${b} ms < topk ${t} ms`);
  assert.ok(w < b, `wdmoe ${w} ms < bw ${b} ms`);
  const onFaded = (d: PolicyDecision) => [...d.slotDevice].filter((device, slot) => device === 3 && d.experts[slot] !== NO_EXPERT_SLOT).length;
  assert.ok(onFaded(wdmoe) < onFaded(topk), `faded device serves ${onFaded(wdmoe)} slots under wdmoe, ${onFaded(topk)} under topk`);
  const total = wdmoe.bandwidthShare!.reduce((a, b) => a + b, 0);
  assert.ok(total <= 1 + 1e-9 && total > 0.99, `Σ shares ${total}`);
  // Every token keeps at least one expert, and its weights sum to 1.
  for (let token = 0; token < ctx.tokens; token++) {
    const weights = Array.from({ length: wdmoe.k }, (_, j) => (wdmoe.experts[token * wdmoe.k + j] === NO_EXPERT_SLOT ? 0 : wdmoe.weights[token * wdmoe.k + j]!));
    assert.ok(weights.some((w) => w > 0), `token ${token} keeps an expert`);
    assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  }
});

test('wdmoe with θ = 0 keeps the top-k and only reallocates bandwidth (= bw)', () => {
  const ctx = fadedLayer();
  const bw = POLICIES.bw.create({})(ctx);
  const joint = POLICIES.wdmoe.create({ theta: 0, rounds: 5 })(ctx);
  assert.deepEqual([...joint.experts], [...bw.experts]);
  assert.deepEqual([...joint.bandwidthShare!].map((s) => s.toFixed(6)), [...bw.bandwidthShare!].map((s) => s.toFixed(6)));
});

test('the alternation stops when the selection no longer changes, within the round cap', () => {
  const ctx = fadedLayer();
  const capped = jointSelection(ctx, 0.5, 1);
  assert.equal(capped.rounds, 1);
  const free = jointSelection(ctx, 0.5, 50);
  assert.ok(free.rounds < 50, `converged after ${free.rounds} rounds`);
  const again = jointSelection(ctx, 0.5, 50);
  assert.deepEqual([...again.experts], [...free.experts], 'deterministic');
});
