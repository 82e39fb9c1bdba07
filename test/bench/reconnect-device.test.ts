import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RECONNECT_MAX_DELAY_MS, reconnectDelayMs, reconnectWithBackoff } from '../../src/bench/reconnect-device.js';

test('the reconnect backoff starts at 0.2 s and doubles up to 5 s', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 20].map(reconnectDelayMs), [200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  assert.equal(RECONNECT_MAX_DELAY_MS, 5000);
});

test('reconnecting retries a failing connect with backoff until it succeeds, and says how many attempts it took', async () => {
  let calls = 0;
  const started = performance.now();
  const outcome = await reconnectWithBackoff(async () => {
    calls += 1;
    if (calls < 3) throw new Error('ECONNREFUSED');
    return 'client';
  }, { signal: new AbortController().signal, discard: () => assert.fail('nothing to discard') });
  assert.deepEqual(outcome, { value: 'client', attempts: 3 });
  const tookMs = performance.now() - started;
  assert.ok(tookMs >= 200 + 400 + 800 - 20, `waited ${tookMs} ms for 3 attempts`);
});

test('reconnecting stops when the run ends, and hands back a client that connected as it ended', async () => {
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 50);
  assert.equal(await reconnectWithBackoff(async () => 'never', { signal: stop.signal, discard: () => undefined }), null);
  const late = new AbortController();
  const discarded: string[] = [];
  const outcome = await reconnectWithBackoff(async () => {
    late.abort();
    return 'late-client';
  }, { signal: late.signal, discard: (value) => discarded.push(value) });
  assert.equal(outcome, null);
  assert.deepEqual(discarded, ['late-client']);
});
