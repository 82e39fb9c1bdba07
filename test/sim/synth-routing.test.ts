// Synthesised routing: rows are probability distributions, the same (seed, batch, layer) gives the same gate,
// and a small Dirichlet α concentrates the tokens' top-1 on a few experts where a large α spreads them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillGateProbs, layerPopularity } from '../../src/sim/synth-routing.js';

const topOneShares = (alpha: number) => {
  const experts = 8;
  const tokens = 4000;
  const popularity = layerPopularity(3, 0, experts, alpha);
  const probs = new Float32Array(tokens * experts);
  fillGateProbs(probs, tokens, popularity, 3, 0, 0);
  const counts = new Array<number>(experts).fill(0);
  for (let t = 0; t < tokens; t++) {
    let best = 0;
    for (let e = 1; e < experts; e++) if (probs[t * experts + e]! > probs[t * experts + best]!) best = e;
    counts[best]! += 1;
  }
  return { popularity, shares: counts.map((c) => c / tokens) };
};

test('every token\'s gate sums to 1 and is reproducible from (seed, batch, layer)', () => {
  const popularity = layerPopularity(1, 2, 4, 1);
  assert.ok(Math.abs(popularity.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  const a = new Float32Array(10 * 4);
  const b = new Float32Array(10 * 4);
  fillGateProbs(a, 10, popularity, 1, 5, 2);
  fillGateProbs(b, 10, popularity, 1, 5, 2);
  assert.deepEqual(a, b);
  for (let t = 0; t < 10; t++) assert.ok(Math.abs(a.subarray(t * 4, t * 4 + 4).reduce((s, p) => s + p, 0) - 1) < 1e-5);
  fillGateProbs(b, 10, popularity, 1, 6, 2);
  assert.notDeepEqual(a, b, 'another batch routes differently');
});

test('the top-1 expert is drawn in proportion to the popularity; α = 0.1 concentrates it, α = 100 spreads it', () => {
  const { popularity, shares } = topOneShares(1);
  shares.forEach((share, e) => assert.ok(Math.abs(share - popularity[e]!) < 0.03, `expert ${e}: top-1 share ${share} vs popularity ${popularity[e]}`));
  const peaked = Math.max(...topOneShares(0.1).shares);
  const flat = Math.max(...topOneShares(100).shares);
  assert.ok(peaked > 0.5, `α = 0.1: the most popular expert takes ${peaked}`);
  assert.ok(flat < 0.2, `α = 100: the most popular expert takes ${flat}`);
});
