import { test } from 'node:test';
import assert from 'node:assert/strict';
import { softmaxRows, topKOfRow } from '../../src/policy/gate.js';

test('softmaxRows gives rows that sum to 1 and keep the order of the logits', () => {
  const probs = softmaxRows(new Float32Array([1, 2, 3, 1000, 1000, 0]), 2, 3);
  assert.ok(Math.abs(probs[0]! + probs[1]! + probs[2]! - 1) < 1e-6);
  assert.ok(probs[2]! > probs[1]! && probs[1]! > probs[0]!);
  assert.ok(Math.abs(probs[3]! - 0.5) < 1e-6, 'large logits do not overflow');
  assert.equal(probs[5], 0);
});

test('topKOfRow returns the k largest, largest first, lower index on ties', () => {
  const probs = new Float32Array([0.1, 0.4, 0.1, 0.4]);
  assert.deepEqual(topKOfRow(probs, 0, 4, 2), [1, 3]);
  assert.deepEqual(topKOfRow(probs, 0, 4, 3), [1, 3, 0]);
});
