import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseMahimahiTrace } from '../../src/channel/trace-mahimahi.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/traces/${name}`, import.meta.url));
const parseFixture = (name: string, binMs?: number) => parseMahimahiTrace(fixture(name), readFileSync(fixture(name), 'utf8'), { binMs });

test('the one-line "1" trace is 12 Mbit/s (one 1500-byte packet per millisecond), period 1 ms', () => {
  const result = parseFixture('constant-12mbit.mahimahi');
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.trace.format, 'mahimahi');
  assert.equal(result.trace.durationMs, 1);
  assert.deepEqual(result.trace.steps, [{ startMs: 0, rateBitsPerSec: 12e6, delayMs: null }]);
});

test('delivery opportunities are binned into 100 ms windows; the last ms folds onto the next cycle\'s 0', () => {
  const result = parseFixture('steps-24-12-6mbit.mahimahi');
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.trace.durationMs, 300);
  assert.equal(result.trace.binMs, 100);
  // 199, 101 and 50 packets of 12 000 bits in 0.1 s each.
  assert.deepEqual(result.trace.steps.map((step) => [step.startMs, step.rateBitsPerSec]), [[0, 23_880_000], [100, 12_120_000], [200, 6_000_000]]);
});

test('the bin is a parameter; a last window shorter than the bin is rated over its own length; packets are conserved', () => {
  const result = parseFixture('steps-24-12-6mbit.mahimahi', 80);
  assert.ok(result.ok);
  assert.deepEqual(result.trace.steps.map((step) => step.startMs), [0, 80, 160, 240]);
  // bins: [0,80): 1 + 79·2 = 159; [80,160): 21·2 + 59 = 101; [160,240): 41 + 19 = 60; [240,300) (60 ms): 30.
  assert.deepEqual(result.trace.steps.map((step) => step.rateBitsPerSec), [159 * 12_000 / 0.08, 101 * 12_000 / 0.08, 60 * 12_000 / 0.08, 30 * 12_000 / 0.06]);
  const lengths = [80, 80, 80, 60];
  const packets = result.trace.steps.reduce((sum, step, index) => sum + (step.rateBitsPerSec * lengths[index]! / 1000) / 12_000, 0);
  assert.ok(Math.abs(packets - 350) < 1e-9, `${packets} packets, the file has 350 lines`);
});

test('a window without opportunities is a 0 bit/s step (an outage)', () => {
  const result = parseMahimahiTrace('gap.mahimahi', '10\n20\n250\n300\n');
  assert.ok(result.ok);
  assert.deepEqual(result.trace.steps.map((step) => step.rateBitsPerSec), [3 * 120_000, 0, 120_000]);
});

const invalidCases: Array<{ name: string; text: string; line: number; message: RegExp }> = [
  { name: 'decreasing (fixture)', text: readFileSync(fixture('decreasing.mahimahi'), 'utf8'), line: 5, message: /non-decreasing, got 3 after 5/ },
  { name: 'zero length (fixture)', text: readFileSync(fixture('zero-length.mahimahi'), 'utf8'), line: 0, message: /nonzero time/ },
  { name: 'not a whole number (fixture)', text: readFileSync(fixture('not-a-number.mahimahi'), 'utf8'), line: 3, message: /whole number of milliseconds.*"3.5"/ },
  { name: 'empty', text: '', line: 0, message: /no timestamps/ },
  { name: 'negative', text: '1\n-2\n', line: 2, message: /whole number/ },
  { name: 'two numbers on a line', text: '1\n2 3\n', line: 2, message: /whole number/ },
];

for (const { name, text, line, message } of invalidCases) {
  test(`a malformed Mahimahi trace is refused with its line: ${name}`, () => {
    const result = parseMahimahiTrace('bad.mahimahi', text);
    assert.ok(!result.ok, `accepted: ${JSON.stringify(result)}`);
    assert.equal(result.line, line, result.message);
    assert.match(result.message, message);
  });
}

test('a bin of 0 ms is refused', () => {
  assert.deepEqual(parseMahimahiTrace('x', '1\n', { binMs: 0 }), { ok: false, line: 0, message: 'expected a bin above 0 ms, got 0' });
});
