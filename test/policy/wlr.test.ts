// WLR selection (weight-to-latency ratio, threshold θ) against an exhaustive enumeration of every subset of
// each token's top-k (k ≤ 4), and its limits: θ = 0 is vanilla top-k, θ = 1 keeps one expert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { POLICIES, selectByWlr, topKCandidates } from '../../src/policy/index.js';
import { context, device } from './helpers.js';

// The subset S ∋ argmax ρ maximising Σ_{e∈S} (ρ_e − θ·max ρ) (ties: the larger S), by enumerating all 2^k subsets.
// Its members are exactly the experts with ρ ≥ θ·max ρ: what the papers' rule keeps, found another way.
function enumerate(rho: number[], theta: number): number[] {
  const best = rho.indexOf(Math.max(...rho));
  let chosen: number[] = [];
  let score = -Infinity;
  for (let mask = 1; mask < 1 << rho.length; mask++) {
    if (!(mask & (1 << best))) continue;
    const members = rho.flatMap((_, j) => (mask & (1 << j) ? [j] : []));
    const value = members.reduce((sum, j) => sum + (rho[j]! - theta * rho[best]!), 0);
    if (value > score + 1e-12 || (Math.abs(value - score) <= 1e-12 && members.length > chosen.length)) [chosen, score] = [members, value];
  }
  return chosen.sort((a, b) => a - b);
}

test('WLR keeps exactly the subset an exhaustive enumeration finds, for k = 1…4 on random tokens', () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 4 }),
    fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 6, maxLength: 6 }),
    fc.array(fc.double({ min: 0.5, max: 50, noNaN: true }), { minLength: 6, maxLength: 6 }),
    fc.double({ min: 0, max: 1, noNaN: true }),
    (k, raw, latencies, theta) => {
      const total = raw.reduce((a, b) => a + b, 0);
      const ctx = context([raw.map((p) => p / total)], { topK: k });
      const candidates = topKCandidates(ctx);
      const latency = Float64Array.from(latencies);
      const keep = selectByWlr(ctx, candidates, latency, theta);
      const rho = [...candidates.experts].map((expert, j) => candidates.probs[j]! / latency[expert]!);
      const kept = [...keep].flatMap((flag, j) => (flag ? [j] : []));
      return JSON.stringify(kept) === JSON.stringify(enumerate(rho, theta));
    },
  ), { numRuns: 500, seed: 3 });
});

test('WLR drops the second expert when its device is much slower, and keeps it when the devices are alike', () => {
  const ctx = context([[0.55, 0.45, 0, 0]]);
  const candidates = topKCandidates(ctx);
  const slowSecond = selectByWlr(ctx, candidates, Float64Array.from([10, 100, 10, 10]), 0.5);
  assert.deepEqual([...slowSecond], [1, 0], 'ρ₂ = 0.45/100 < 0.5 · 0.55/10');
  const alike = selectByWlr(ctx, candidates, Float64Array.from([10, 12, 10, 10]), 0.5);
  assert.deepEqual([...alike], [1, 1]);
  // The best ratio can be the second-ranked expert: a fast device beats a higher weight on a slow one.
  const fastSecond = selectByWlr(ctx, candidates, Float64Array.from([100, 10, 10, 10]), 0.5);
  assert.deepEqual([...fastSecond], [0, 1]);
});

test('wlr with θ = 0 is vanilla top-k, and with θ = 1 keeps one expert per token with weight 1', () => {
  const probs = [[0.1, 0.6, 0.2, 0.1], [0.5, 0.1, 0.1, 0.3], [0.3, 0.3, 0.2, 0.2]];
  const devices = [device('a', 1e6, 1), device('b', 2e5, 1), device('c', 5e6, 1), device('d', 1e5, 1)];
  const ctx = context(probs, { devices });
  const topk = POLICIES.topk.create({})(ctx);
  const zero = POLICIES.wlr.create({ theta: 0 })(ctx);
  assert.deepEqual([...zero.experts], [...topk.experts]);
  assert.deepEqual([...zero.weights], [...topk.weights]);
  const one = POLICIES.wlr.create({ theta: 1 })(ctx);
  assert.equal(one.k, 1);
  assert.deepEqual([...one.weights], [1, 1, 1]);
  assert.equal(one.bandwidthShare, null, 'wlr leaves bandwidth equal');
});

test('kept weights are renormalised to sum to 1 whenever an expert is dropped', () => {
  const ctx = context([[0.5, 0.3, 0.2, 0]], { topK: 3, normalizeTopK: false, devices: [device('a', 1e7), device('b', 1e7), device('c', 1e4), device('d', 1e7)] });
  const decision = POLICIES.wlr.create({ theta: 0.5 })(ctx);
  const weights = [...decision.weights].filter((_, slot) => decision.experts[slot] !== 0xffff);
  assert.ok(weights.length < 3, 'the expert on the slow device c was dropped');
  assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 1e-6);
});
