import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planFailover, renormaliseSkipped } from '../../src/bs/failover-plan.js';
import { NO_EXPERT_SLOT, type PolicyDecision } from '../../src/policy/index.js';

// 3 tokens, k = 2. Experts 0 and 1 on device 0; expert 0 also on device 1, expert 1 also on device 2; expert 2 only on device 1.
const holders = [[0, 1], [0, 2], [1]];
const decision: PolicyDecision = {
  k: 2,
  experts: new Uint16Array([0, 1, 1, 2, 0, NO_EXPERT_SLOT]),
  weights: new Float32Array([0.6, 0.4, 0.7, 0.3, 1, 0]),
  slotDevice: new Int32Array([0, 0, 0, 1, 0, -1]),
  bandwidthShare: null,
};
const shares = Float64Array.from([0.5, 0.5, 0]);

test('a failed device\'s slots move to the up replicas holding each expert, keeping the other slots out', () => {
  const plan = planFailover(decision, new Set([0]), holders, () => true, shares);
  assert.deepEqual([...plan.decision.experts], [0, 1, 1, NO_EXPERT_SLOT, 0, NO_EXPERT_SLOT]);
  assert.deepEqual([...plan.decision.slotDevice], [1, 2, 2, -1, 1, -1]);
  assert.deepEqual(plan.moves, [{ from: 0, to: 1, experts: [0] }, { from: 0, to: 2, experts: [1] }]);
  assert.deepEqual(plan.unserved, []);
  // device 2 had no share: it gets the share of the device it stands in for
  assert.deepEqual([...plan.decision.bandwidthShare!], [0.5, 0.5, 0.5]);
});

test('a replica that is down is not chosen; slots with no up replica are unserved, by device', () => {
  const plan = planFailover(decision, new Set([0]), holders, (d) => d !== 2, shares);
  assert.deepEqual(plan.moves, [{ from: 0, to: 1, experts: [0] }]);
  assert.deepEqual(plan.unserved, [{ device: 0, slots: [1, 2], experts: [1] }]);
  const both = planFailover(decision, new Set([0, 1]), holders, () => true, shares);
  assert.deepEqual(both.unserved.map((u) => [u.device, u.experts]), [[0, [0]], [1, [2]]]);
  assert.deepEqual(both.moves, [{ from: 0, to: 2, experts: [1] }]);
});

test('with several replicas up, the moved slots spread over them', () => {
  const spread: PolicyDecision = { k: 1, experts: new Uint16Array([0, 0, 0, 0]), weights: new Float32Array([1, 1, 1, 1]), slotDevice: new Int32Array([0, 0, 0, 0]), bandwidthShare: null };
  const plan = planFailover(spread, new Set([0]), [[0, 1, 2]], () => true, Float64Array.from([1, 0, 0]));
  assert.deepEqual([...plan.decision.slotDevice], [1, 2, 1, 2]);
});

test('renormalisation scales each token over the experts it kept, leaves untouched tokens alone and zeroes a token with none', () => {
  const hidden = 2;
  // what the devices returned for the kept slots only: token 0 kept expert 0 (0.6), token 1 kept expert 2 (0.3), token 2 lost its only one
  const combined = new Float32Array([0.6, 1.2, 0.3, 0.6, 0, 0]);
  const skipped = new Uint8Array([0, 1, 1, 0, 1, 0]);
  renormaliseSkipped(combined, decision, skipped, hidden);
  assert.deepEqual([...combined].map((x) => Math.round(x * 1e6) / 1e6), [1, 2, 1, 2, 0, 0]);
  const untouched = new Float32Array([1, 2, 3, 4, 5, 6]);
  renormaliseSkipped(untouched, decision, new Uint8Array(6), hidden);
  assert.deepEqual([...untouched], [1, 2, 3, 4, 5, 6]);
});
