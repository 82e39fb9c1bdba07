import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outageEndAt, traceStepAt } from '../../src/channel/trace-sample.js';
import type { RateTrace } from '../../src/channel/types.js';

const TRACE: RateTrace = {
  file: 'x.csv', format: 'csv', durationMs: 1000,
  steps: [{ startMs: 0, rateBitsPerSec: 1, delayMs: null }, { startMs: 250, rateBitsPerSec: 2, delayMs: 5 }, { startMs: 600, rateBitsPerSec: 3, delayMs: null }],
};

const rateAt = (trace: RateTrace, timeMs: number) => traceStepAt(trace, timeMs).rateBitsPerSec;

test('each step holds from its start until the next step', () => {
  assert.deepEqual([0, 249.9, 250, 599, 600, 999].map((t) => rateAt(TRACE, t)), [1, 1, 2, 2, 3, 3]);
  assert.equal(traceStepAt(TRACE, 300).delayMs, 5);
});

test('the trace loops with period durationMs, negative times counting back from the end', () => {
  assert.deepEqual([1000, 1250, 3600, 10_999].map((t) => rateAt(TRACE, t)), [1, 2, 3, 3]);
  assert.equal(rateAt(TRACE, -1), 3);
  assert.equal(rateAt(TRACE, -750), 2);
});

test('a trace starting after 0 ms: before its first step the previous loop\'s last step holds', () => {
  const late: RateTrace = { ...TRACE, steps: [{ startMs: 100, rateBitsPerSec: 7, delayMs: null }, { startMs: 500, rateBitsPerSec: 9, delayMs: null }] };
  assert.deepEqual([0, 99, 100, 500, 1050].map((t) => rateAt(late, t)), [9, 9, 7, 9, 9]);
});

test('a long trace is searched correctly at every step boundary', () => {
  const steps = Array.from({ length: 1000 }, (_, index) => ({ startMs: index * 10, rateBitsPerSec: index + 1, delayMs: null }));
  const long: RateTrace = { file: 'y', format: 'mahimahi', steps, durationMs: 10_000 };
  for (let index = 0; index < 1000; index += 1) {
    assert.equal(rateAt(long, index * 10), index + 1);
    assert.equal(rateAt(long, index * 10 + 9.99), index + 1);
  }
});

test('an outage (a window with no delivery) waits for the next delivering step, across the loop if need be', () => {
  const gappy: RateTrace = {
    file: 'gappy.mahimahi', format: 'mahimahi', durationMs: 400,
    steps: [{ startMs: 0, rateBitsPerSec: 0, delayMs: null }, { startMs: 100, rateBitsPerSec: 12e6, delayMs: null }, { startMs: 200, rateBitsPerSec: 0, delayMs: null }, { startMs: 300, rateBitsPerSec: 0, delayMs: null }],
  };
  assert.deepEqual(outageEndAt(gappy, 30), { waitMs: 70, step: gappy.steps[1] });
  assert.deepEqual(outageEndAt(gappy, 150), { waitMs: 0, step: gappy.steps[1] }, 'not in an outage');
  assert.deepEqual(outageEndAt(gappy, 250), { waitMs: 250, step: gappy.steps[1] }, 'wraps to the next loop: 400 + 100 − 250');
  assert.deepEqual(outageEndAt(gappy, 430), { waitMs: 70, step: gappy.steps[1] }, 'looping time');
});
