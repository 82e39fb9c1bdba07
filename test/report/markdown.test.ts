import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSummaryMarkdown } from '../../src/report/markdown.js';
import { SUMMARY } from './helpers.js';

test('Markdown has header, alignment row and escaped cells', () => {
  const lines = renderSummaryMarkdown(SUMMARY).trimEnd().split('\n');
  assert.equal(lines.length, 4);
  assert.equal(lines[0], '| dataset | policy | n | acc | acc_norm | mean ms | p50 ms | p90 ms | p99 ms | bs ms | down ms | dev ms | up ms | other ms |');
  assert.equal(lines[1], '| :--- | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  assert.equal(lines[2], '| add | topk | 500 | 0.912 | 0.900 | 12.35 | 12.00 | 15.50 | 20.25 | 4.00 | 3.50 | 1.50 | 3.00 | 0.35 |');
  assert.ok(lines[3]!.startsWith('| add-gen | w,d\\|moe | 200 | 0.500 | – |'));
});
