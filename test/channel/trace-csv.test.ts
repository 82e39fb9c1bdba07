import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCsvTrace } from '../../src/channel/trace-csv.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/traces/${name}`, import.meta.url));
const parseFixture = (name: string) => parseCsvTrace(fixture(name), readFileSync(fixture(name), 'utf8'));

test('a CSV trace with header, comments, blank lines and delays becomes steps; the last step lasts as long as the one before', () => {
  const result = parseFixture('lte-like.csv');
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.trace.format, 'csv');
  assert.deepEqual(result.trace.steps, [
    { startMs: 0, rateBitsPerSec: 20e6, delayMs: 10 },
    { startMs: 250, rateBitsPerSec: 5e6, delayMs: 25 },
    { startMs: 500, rateBitsPerSec: 12.5e6, delayMs: 15 },
    { startMs: 1000, rateBitsPerSec: 30e6, delayMs: 8 },
  ]);
  assert.equal(result.trace.durationMs, 1500);
});

test('two columns and no header: delays are null', () => {
  const result = parseFixture('two-columns.csv');
  assert.ok(result.ok);
  assert.deepEqual(result.trace.steps.map((step) => step.delayMs), [null, null]);
  assert.equal(result.trace.durationMs, 200);
});

test('# duration_ms=N sets the length (and lets a one-line trace exist)', () => {
  const result = parseFixture('one-line-with-duration.csv');
  assert.ok(result.ok);
  assert.equal(result.trace.durationMs, 2000);
  assert.deepEqual(parseCsvTrace('x.csv', '0,1\n'), { ok: false, line: 0, message: 'a one-line trace needs its length: add a line "# duration_ms=N"' });
  assert.deepEqual(parseCsvTrace('x.csv', '# duration_ms=100\n0,1\n200,1\n'), { ok: false, line: 1, message: 'expected duration_ms above the last t_ms 200, got 100' });
});

const invalidCases: Array<{ name: string; text: string; line: number; message: RegExp }> = [
  { name: 'negative rate (fixture)', text: readFileSync(fixture('negative-rate.csv'), 'utf8'), line: 4, message: /expected rate_bps a number > 0.*got "-5"/ },
  { name: 'repeated time (fixture)', text: readFileSync(fixture('repeated-time.csv'), 'utf8'), line: 3, message: /strictly increasing/ },
  { name: 'empty (fixture)', text: '', line: 0, message: /no trace lines/ },
  { name: 'comments only (fixture)', text: readFileSync(fixture('comments-only.csv'), 'utf8'), line: 0, message: /no trace lines/ },
  { name: 'wrong header', text: 'time,rate\n0,1\n', line: 1, message: /expected the header t_ms,rate_bps/ },
  { name: 'too many fields', text: '0,1,2,3\n', line: 1, message: /got 4 field\(s\)/ },
  { name: 'one field', text: '0,1\n100\n', line: 2, message: /got 1 field\(s\)/ },
  { name: 'rate with junk', text: '0,1\n100,12abc\n', line: 2, message: /rate_bps.*"12abc"/ },
  { name: 'zero rate', text: '0,0\n10,1\n', line: 1, message: /rate_bps a number > 0/ },
  { name: 'negative time', text: '-5,1\n10,1\n', line: 1, message: /t_ms a number ≥ 0/ },
  { name: 'decreasing time', text: '0,1\n50,1\n20,1\n', line: 3, message: /above the previous line's 50/ },
  { name: 'negative delay', text: '0,1,-1\n10,1\n', line: 1, message: /delay_ms a number ≥ 0/ },
  { name: 'empty field', text: '0,,1\n', line: 1, message: /rate_bps/ },
  { name: 'header after data', text: '0,1\nt_ms,rate_bps\n', line: 2, message: /t_ms a number/ },
  { name: 'bad duration comment', text: '# duration_ms=soon\n0,1\n', line: 1, message: /duration_ms=N/ },
];

for (const { name, text, line, message } of invalidCases) {
  test(`a malformed CSV trace is refused with its line: ${name}`, () => {
    const result = parseCsvTrace('bad.csv', text);
    assert.ok(!result.ok, `accepted: ${JSON.stringify(result)}`);
    assert.equal(result.line, line, result.message);
    assert.match(result.message, message);
  });
}

test('numbers may be decimals or in e-notation; Windows line ends are fine', () => {
  const result = parseCsvTrace('x.csv', '0,2e7\r\n12.5,1.5e6,0.5\r\n');
  assert.ok(result.ok);
  assert.deepEqual(result.trace.steps, [{ startMs: 0, rateBitsPerSec: 2e7, delayMs: null }, { startMs: 12.5, rateBitsPerSec: 1.5e6, delayMs: 0.5 }]);
  assert.equal(result.trace.durationMs, 25);
});
