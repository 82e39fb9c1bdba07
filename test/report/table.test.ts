import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSummaryTable } from '../../src/report/table.js';
import { SUMMARY } from './helpers.js';

test('the terminal table has a header and one row per group with rounded figures', () => {
  const text = renderSummaryTable(SUMMARY);
  for (const header of ['dataset', 'policy', 'acc_norm', 'p99 ms', 'bs ms', 'down ms', 'dev ms', 'up ms', 'other ms']) assert.ok(text.includes(header), header);
  const addRow = text.split('\n').find((line) => line.includes(' add ') && line.includes('topk'))!;
  assert.match(addRow, /500 .*0\.912 .*0\.900 .*12\.35 .*12\.00 .*15\.50 .*20\.25 .*4\.00 .*3\.50 .*1\.50 .*3\.00 .*0\.35/);
  assert.match(text, /add-gen .*–/);
  assert.doesNotMatch(text, /\u001b\[/, 'no colour unless asked');
});

test('an empty summary renders just the header', () => {
  assert.equal(renderSummaryTable({ formatVersion: 1, groups: [] }).split('\n').length, 3);
});
