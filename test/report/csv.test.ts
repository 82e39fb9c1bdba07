import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeCsvField, renderReportCsv } from '../../src/report/csv.js';
import { parseCsvBlocks } from './helpers.js';
import { AWKWARD_POLICY, awkwardReport } from './renderers.js';

test('CSV fields are quoted only when they must be (RFC 4180), null is empty', () => {
  assert.equal(encodeCsvField('topk'), 'topk');
  assert.equal(encodeCsvField('a,b'), '"a,b"');
  assert.equal(encodeCsvField('say "hi"'), '"say ""hi"""');
  assert.equal(encodeCsvField('two\nlines'), '"two\nlines"');
  assert.equal(encodeCsvField(0.1 + 0.2), '0.30000000000000004', 'full precision');
  assert.equal(encodeCsvField(null), '');
});

test('the CSV is one block per table, each row led by its table id, blank lines between, notes left out', () => {
  const csv = renderReportCsv(awkwardReport());
  assert.ok(csv.endsWith('\n') && !csv.includes('\r'));
  const blocks = parseCsvBlocks(csv);
  assert.deepEqual([...blocks.keys()], ['accuracy', 'latency', 'breakdown', 'experts', 'devices']);
  for (const [id, rows] of blocks) for (const row of rows) assert.equal(row['table'], id);
  assert.equal(blocks.get('latency')![0]!['policy'], AWKWARD_POLICY, 'the quoted label reads back whole');
  assert.equal(blocks.get('devices')![0]!['mean_share'], String((0.25 + 0.35 + 0.45 + 0.55) / 4));
  assert.ok(!csv.includes('no summary.json'), 'notes go to stderr, not into the data');
});
