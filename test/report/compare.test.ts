import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveBaseline } from '../../src/report/compare.js';
import { splitSeries } from '../../src/report/series.js';
import { folderWith, layerLine } from './helpers.js';

const folder = (label: string, policies: string[]) => {
  const base = folderWith([layerLine(0, { newer: false })]);
  return { ...base, label, results: policies.map((policy) => ({ ...base.results[0]!, policy })) };
};

test('the baseline defaults to topk wherever it is, else the first series; one series has none', () => {
  assert.equal(resolveBaseline(splitSeries([folder('a', ['wdmoe', 'topk'])]), null)?.ref.series, 'topk');
  assert.equal(resolveBaseline(splitSeries([folder('a', ['wdmoe']), folder('b', ['top1', 'topk'])]), null)?.ref.series, 'b/topk');
  assert.equal(resolveBaseline(splitSeries([folder('a', ['wlr', 'bw'])]), null)?.ref.series, 'wlr');
  assert.equal(resolveBaseline(splitSeries([folder('a', ['topk'])]), null), null);
  assert.equal(resolveBaseline(splitSeries([folder('a', ['topk'])]), 'topk'), null, 'a named baseline that exists, but nothing to compare');
});

test('--baseline matches a series name first, then a policy label (its first series)', () => {
  const series = splitSeries([folder('a', ['topk', 'wdmoe:theta=0.3']), folder('b', ['wdmoe:theta=0.3'])]);
  assert.equal(resolveBaseline(series, 'b/wdmoe:theta=0.3')?.ref.series, 'b/wdmoe:theta=0.3');
  assert.equal(resolveBaseline(series, 'wdmoe:theta=0.3')?.ref.series, 'a/wdmoe:theta=0.3');
  assert.throws(() => resolveBaseline(series, 'wdmoe'), (error: Error & { code?: string; hint?: string }) =>
    error.code === 'report-baseline' && error.hint === 'pass one of: topk, a/topk, wdmoe:theta=0.3, a/wdmoe:theta=0.3, b/wdmoe:theta=0.3');
});
