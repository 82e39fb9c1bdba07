import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignReplicas } from '../../src/policy/replicas.js';
import { context, device } from './helpers.js';

test('a replicated expert goes to the replica with the lowest estimated latency', () => {
  // Expert 0 lives on a slow device (index 0) and a fast one (index 1).
  const ctx = context([[0.9, 0.1]], {
    devices: [device('slow', 1e6, 50), device('fast', 1e9, 1)],
    expertDevices: [[0, 1], [0]],
  });
  const slots = assignReplicas(ctx, new Uint16Array([0, 1]), 2);
  assert.deepEqual([...slots], [1, 0]);
});

test('replicas spread the load of many tokens over equal devices', () => {
  const ctx = context(Array.from({ length: 6 }, () => [0.9, 0.1]), {
    devices: [device('a', 1e6, 1), device('b', 1e6, 1)],
    expertDevices: [[0, 1], [0, 1]],
  });
  const slots = assignReplicas(ctx, new Uint16Array(Array.from({ length: 6 }, () => 0)), 1);
  const onA = [...slots].filter((d) => d === 0).length;
  assert.equal(onA, 3, `expected an even split, got ${[...slots].join(',')}`);
});
