// LinkSchedule: the FIFO link model in exact numbers (no timers).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkSchedule } from '../../src/links/token-bucket.js';
import { expectedTransferMs, lossPenaltyMs } from '../../src/links/link-model.js';

const spec = (over: Partial<{ rateBitsPerSec: number | null; delayMs: number; jitterMs: number; lossRate: number }> = {}) =>
  ({ rateBitsPerSec: 1_000_000, delayMs: 20, jitterMs: 0, lossRate: 0, ...over });

test('one message on an idle link arrives after bytes·8/rate + delay', () => {
  const schedule = new LinkSchedule(spec(), 1);
  assert.deepEqual(schedule.schedule(1000, 100), { startMs: 100, endMs: 100 + 8 + 20, rateBitsPerSec: 1_000_000 });
  assert.equal(expectedTransferMs(spec(), 1000), 28);
});

test('back-to-back messages queue behind each other (FIFO), delay overlaps', () => {
  const schedule = new LinkSchedule(spec(), 1);
  schedule.schedule(1000, 0); // busy until 8
  assert.deepEqual(schedule.schedule(1000, 1), { startMs: 8, endMs: 36, rateBitsPerSec: 1_000_000 });
  assert.deepEqual(schedule.schedule(1000, 100), { startMs: 100, endMs: 128, rateBitsPerSec: 1_000_000 }); // idle again
});

test('an unlimited rate costs only the delay', () => {
  const schedule = new LinkSchedule(spec({ rateBitsPerSec: null }), 1);
  assert.deepEqual(schedule.schedule(10_000_000, 5), { startMs: 5, endMs: 25, rateBitsPerSec: null });
});

test('a transfer can carry its own rate and delay (a time-varying link): the schedule uses them and says so', () => {
  const schedule = new LinkSchedule(spec(), 1);
  // 1000 bytes at 4 Mbit/s = 2 ms, then 5 ms of delay instead of the spec's 1 Mbit/s and 20 ms.
  assert.deepEqual(schedule.schedule(1000, 0, { rateBitsPerSec: 4_000_000, delayMs: 5 }), { startMs: 0, endMs: 7, rateBitsPerSec: 4_000_000 });
  // The next message queues behind the busy time of the first at its own rate (busy until 2 ms).
  assert.deepEqual(schedule.schedule(1000, 1), { startMs: 2, endMs: 30, rateBitsPerSec: 1_000_000 });
  // An explicit null is unlimited, not "the spec's rate".
  assert.deepEqual(schedule.schedule(1_000_000, 100, { rateBitsPerSec: null }), { startMs: 100, endMs: 120, rateBitsPerSec: null });
});

test('jitter is zero-mean, reproducible by seed, never reorders messages', () => {
  const draw = (seed: number) => {
    const schedule = new LinkSchedule(spec({ rateBitsPerSec: null, jitterMs: 5 }), seed);
    return Array.from({ length: 2000 }, (_, i) => schedule.schedule(100, i * 0.1).endMs);
  };
  const a = draw(7);
  assert.deepEqual(a, draw(7));
  assert.notDeepEqual(a, draw(8));
  for (let i = 1; i < a.length; i++) assert.ok(a[i]! >= a[i - 1]!, 'arrivals stay in order');
  const spaced = new LinkSchedule(spec({ rateBitsPerSec: null, jitterMs: 5 }), 3);
  const latencies = Array.from({ length: 5000 }, (_, i) => spaced.schedule(100, i * 1000).endMs - i * 1000);
  const mean = latencies.reduce((s, v) => s + v, 0) / latencies.length;
  assert.ok(Math.abs(mean - 20) < 0.3, `mean latency ${mean}`);
  assert.ok(latencies.every((v) => v >= 0));
});

test('uniform jitter stays within ±jitterMs', () => {
  const schedule = new LinkSchedule(spec({ rateBitsPerSec: null, jitterMs: 4 }), 1, 'uniform');
  const latencies = Array.from({ length: 1000 }, (_, i) => schedule.schedule(1, i * 1000).endMs - i * 1000);
  assert.ok(latencies.every((v) => v >= 16 && v <= 24));
});

test('loss adds an RTO-like penalty per lost segment; the mean matches expectedTransferMs', () => {
  const lossy = spec({ lossRate: 0.02, delayMs: 150 });
  assert.equal(lossPenaltyMs(lossy), 300);
  assert.equal(lossPenaltyMs(spec({ delayMs: 20 })), 200);
  const schedule = new LinkSchedule(lossy, 11);
  const bytes = 14_480; // 10 segments
  const times = Array.from({ length: 5000 }, (_, i) => schedule.schedule(bytes, i * 10_000).endMs - i * 10_000);
  const mean = times.reduce((s, v) => s + v, 0) / times.length;
  const expected = expectedTransferMs(lossy, bytes); // 115.84 + 150 + 10·0.02·300
  assert.ok(Math.abs(mean - expected) / expected < 0.03, `mean ${mean}, model ${expected}`);
});
