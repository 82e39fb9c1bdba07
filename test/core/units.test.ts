import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDuration, formatFrequency, formatRate, isBytesPerSecondRate, parseDuration, parseFrequency, parseLoss, parseRate } from '../../src/core/units.js';

const rates: Array<[unknown, number | null]> = [
  ['20mbit', 20e6], ['1gbit', 1e9], ['500kbit', 500e3], ['100mbps', 800e6], ['1.5Mbit', 1.5e6], ['12bps', 96],
  ['1mibit', 1024 ** 2], ['64kibps', 64 * 1024 * 8], ['1000', 1000], [2_000_000, 2e6], ['unlimited', null], [null, null],
];
const badRates: unknown[] = ['20 megabits', 'fast', '-5mbit', '0mbit', 0, '', true, { rate: 1 }, '20mbits'];

describe('parseRate', () => {
  for (const [input, expected] of rates) {
    test(`reads ${JSON.stringify(input)} as ${expected} bits/s`, () => assert.deepEqual(parseRate(input), { ok: true, value: expected }));
  }
  for (const input of badRates) {
    test(`rejects ${JSON.stringify(input)} naming the accepted forms`, () => {
      const result = parseRate(input);
      assert.equal(result.ok, false);
      assert.match(!result.ok ? result.message : '', /expected a rate like 20mbit.*got/);
    });
  }
  test('flags tc bytes-per-second suffixes', () => {
    assert.equal(isBytesPerSecondRate('12mbps'), true);
    assert.equal(isBytesPerSecondRate('12mbit'), false);
  });
});

describe('parseDuration', () => {
  const cases: Array<[unknown, number]> = [['10ms', 10], ['1s', 1000], ['250us', 0.25], ['1.5s', 1500], ['2m', 120_000], [0, 0], ['0', 0]];
  for (const [input, expected] of cases) {
    test(`reads ${JSON.stringify(input)} as ${expected} ms`, () => assert.deepEqual(parseDuration(input), { ok: true, value: expected }));
  }
  for (const input of [10, '10', '10 days', 'soon', null]) {
    test(`rejects ${JSON.stringify(input)} asking for a unit`, () => {
      const result = parseDuration(input);
      assert.equal(result.ok, false);
      assert.match(!result.ok ? result.message : '', /expected a duration like 250us, 10ms/);
    });
  }
});

describe('parseLoss', () => {
  const cases: Array<[unknown, number]> = [['0.5%', 0.005], [0.005, 0.005], ['0', 0], [0, 0], ['100%', 1], [1, 1]];
  for (const [input, expected] of cases) {
    test(`reads ${JSON.stringify(input)} as ${expected}`, () => {
      const result = parseLoss(input);
      assert.ok(result.ok);
      assert.ok(Math.abs(result.value - expected) < 1e-12);
    });
  }
  test('rejects a percentage written as a plain number and says how to write it', () => {
    const result = parseLoss(5);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.message : '', /write 5% for percent/);
  });
  for (const input of ['150%', 'lossy', -0.1]) {
    test(`rejects ${JSON.stringify(input)}`, () => assert.equal(parseLoss(input).ok, false));
  }
});

test('formatRate and formatDuration write what the parser reads', () => {
  for (const text of ['20mbit', '1gbit', '500kbit', '800bit']) assert.equal(formatRate((parseRate(text) as { value: number }).value), text);
  for (const text of ['250us', '10ms', '1.5s']) assert.equal(formatDuration((parseDuration(text) as { value: number }).value), text);
  assert.equal(formatRate(null), 'unlimited');
});

describe('parseFrequency', () => {
  const frequencies: Array<[unknown, number]> = [['20MHz', 20e6], ['100 MHz', 100e6], ['1.4GHz', 1.4e9], ['500kHz', 500e3], ['180hz', 180], ['5e6', 5e6], [20e6, 20e6]];
  for (const [input, expected] of frequencies) {
    test(`reads ${JSON.stringify(input)} as ${expected} Hz`, () => assert.deepEqual(parseFrequency(input), { ok: true, value: expected }));
  }
  for (const input of ['20mbit', '20 megahertz', '0MHz', 0, -5, '', null, true]) {
    test(`rejects ${JSON.stringify(input)} naming the accepted forms`, () => {
      const result = parseFrequency(input);
      assert.equal(result.ok, false);
      assert.match(!result.ok ? result.message : '', /expected a frequency like 20MHz.*got/);
    });
  }
  test('formats hertz back', () => assert.deepEqual([20e6, 1.4e9, 500e3, 180].map(formatFrequency), ['20MHz', '1.4GHz', '500kHz', '180Hz']));
});
