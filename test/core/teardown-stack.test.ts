import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TeardownStack } from '../../src/core/index.js';

test('teardown runs cleanups last-in first-out, all of them, once', async () => {
  const stack = new TeardownStack();
  const order: string[] = [];
  stack.defer('a', () => void order.push('a'));
  stack.defer('b', () => {
    order.push('b');
    throw new Error('b failed');
  });
  stack.defer('c', async () => void order.push('c'));
  const failures = await stack.dispose();
  assert.deepEqual(order, ['c', 'b', 'a']);
  assert.deepEqual(failures.map((f) => f.label), ['b']);
  assert.deepEqual(await stack.dispose(), []);
  assert.deepEqual(order, ['c', 'b', 'a']);
});
