import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_EXPERT_SLOT, POLICIES, selectTopExperts } from '../../src/policy/index.js';
import { context } from './helpers.js';

test('topk keeps each token\'s two best experts with weights renormalised over the two', () => {
  const decision = POLICIES.topk.create({})(context([[0.1, 0.6, 0.2, 0.1], [0.5, 0.1, 0.1, 0.3]]));
  assert.equal(decision.k, 2);
  assert.deepEqual([...decision.experts], [1, 2, 0, 3]);
  assert.ok(Math.abs(decision.weights[0]! - 0.75) < 1e-6 && Math.abs(decision.weights[1]! - 0.25) < 1e-6);
  assert.ok(Math.abs(decision.weights[2]! - 0.625) < 1e-6);
  assert.deepEqual([...decision.slotDevice], [1, 2, 0, 3]);
  assert.equal(decision.bandwidthShare, null);
});

test('topk without renormalisation keeps the raw gate probabilities', () => {
  const decision = POLICIES.topk.create({})(context([[0.1, 0.6, 0.2, 0.1]], { normalizeTopK: false }));
  assert.ok(Math.abs(decision.weights[0]! - 0.6) < 1e-6 && Math.abs(decision.weights[1]! - 0.2) < 1e-6);
});

test('keeping one expert gives it the whole weight', () => {
  const decision = selectTopExperts(context([[0.1, 0.6, 0.2, 0.1]]), 1);
  assert.equal(decision.k, 1);
  assert.deepEqual([...decision.experts], [1]);
  assert.equal(decision.weights[0], 1);
  assert.notEqual(decision.experts[0], NO_EXPERT_SLOT);
});

test('top1 keeps only the best expert and random1 one of the top-k, each with the whole weight', () => {
  const ctx = context([[0.1, 0.6, 0.2, 0.1], [0.5, 0.1, 0.1, 0.3]]);
  const best = POLICIES.top1.create({})(ctx);
  assert.deepEqual([...best.experts], [1, 0]);
  assert.deepEqual([...best.weights], [1, 1]);
  const draws = [0.0, 0.99];
  const random = POLICIES.random1.create({})({ ...ctx, random: () => draws.shift()! });
  assert.deepEqual([...random.experts], [1, 3], 'first of token 0\'s top-2, second of token 1\'s');
  assert.deepEqual([...random.weights], [1, 1]);
  assert.deepEqual([...random.slotDevice], [1, 3]);
});
