import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCsvField, renderSummaryCsv } from '../../src/report/csv.js';
import { SUMMARY } from './helpers.js';

test('CSV keeps full precision, unit headers, and an empty acc_norm when null', () => {
  assert.equal(renderSummaryCsv(SUMMARY),
    'dataset,policy,n,acc,acc_norm,latency_mean_ms,latency_p50_ms,latency_p90_ms,latency_p99_ms,bs_compute_ms,downlink_ms,device_compute_ms,uplink_ms,other_ms\n'
    + 'add,topk,500,0.912,0.9,12.3456,12,15.5,20.25,4,3.5,1.5,3,0.3456\n'
    + 'add-gen,"w,d|moe",200,0.5,,1,1,1,1,1,0,0,0,0\n');
});

const fields = [
  { value: 'plain', csv: 'plain' },
  { value: 'a,b', csv: '"a,b"' },
  { value: 'say "hi"', csv: '"say ""hi"""' },
  { value: 'two\nlines', csv: '"two\nlines"' },
  { value: null, csv: '' },
  { value: 0.25, csv: '0.25' },
];
for (const { value, csv } of fields) {
  test(`encodeCsvField(${JSON.stringify(value)}) → ${JSON.stringify(csv)}`, () => {
    assert.equal(encodeCsvField(value), csv);
  });
}
