import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCell, SUMMARY_COLUMNS } from '../../src/report/summary-columns.js';
import { BREAKDOWN_KEYS } from '../../src/records/records.js';
import { SUMMARY } from './helpers.js';

test('the columns cover every summary field, every breakdown part included', () => {
  const csv = SUMMARY_COLUMNS.map((column) => column.csvHeader);
  for (const key of BREAKDOWN_KEYS) assert.ok(csv.includes(`${key}_ms`), key);
  for (const key of ['dataset', 'policy', 'n', 'acc', 'acc_norm', 'latency_mean_ms', 'latency_p50_ms', 'latency_p90_ms', 'latency_p99_ms']) assert.ok(csv.includes(key), key);
});

test('formatCell rounds numbers to the column decimals and shows null as a dash', () => {
  const accNorm = SUMMARY_COLUMNS.find((column) => column.header === 'acc_norm')!;
  assert.equal(formatCell(accNorm, SUMMARY.groups[0]!), '0.900');
  assert.equal(formatCell(accNorm, SUMMARY.groups[1]!), '–');
});
