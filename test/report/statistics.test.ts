import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spreadOf, wilsonInterval95 } from '../../src/report/statistics.js';
import { assertClose } from './helpers.js';

test('the Wilson interval matches published values (statsmodels proportion_confint method="wilson")', () => {
  const cases: [number, number, number, number][] = [
    [8, 10, 0.4901624715, 0.9433178485],
    [0, 10, 0, 0.2775327999],
    [10, 10, 0.7224672001, 1],
    [2, 4, 0.1500389892, 0.8499610108],
  ];
  for (const [k, n, low, high] of cases) {
    const [lo, hi] = wilsonInterval95(k, n);
    assert.ok(Math.abs(lo - low) < 1e-9 && Math.abs(hi - high) < 1e-9, `${k}/${n}: got [${lo}, ${hi}], expected [${low}, ${high}]`);
  }
});

test('an interval over no items is the whole of [0, 1]', () => {
  assert.deepEqual(wilsonInterval95(0, 0), [0, 1]);
});

test('percentiles interpolate linearly between closest ranks (numpy default), whatever the input order', () => {
  const spread = spreadOf([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]);
  assert.equal(spread.mean, 5.5);
  assert.equal(spread.p50, 5.5);
  assertClose(spread.p90, 9.1, 'p90');
  assertClose(spread.p99, 9.91, 'p99');
  assert.deepEqual(spreadOf([42]), { mean: 42, p50: 42, p90: 42, p99: 42 });
});
