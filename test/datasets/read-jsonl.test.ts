import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readJsonlRecords } from '../../src/datasets/read-jsonl.js';
import { fixture, writeTemp } from './helpers.js';

test('readJsonlRecords numbers lines from 1 and skips blank lines, CRLF and a BOM', async () => {
  const path = writeTemp('d.jsonl', '\uFEFF{"a":1}\r\n\r\n{"a":2}\n');
  assert.deepEqual(await readJsonlRecords(path), [{ line: 1, record: { a: 1 } }, { line: 3, record: { a: 2 } }]);
});

const invalidCases = [
  { name: 'truncated JSON', text: null, file: fixture('bad-json-line.jsonl'), error: /bad-json-line\.jsonl:2: not valid JSON/ },
  { name: 'an array line', text: '{"a":1}\n[1,2]\n', file: null, error: /x\.jsonl:2: expected a JSON object, got array/ },
  { name: 'a number line', text: '3\n', file: null, error: /x\.jsonl:1: expected a JSON object, got number/ },
];
for (const bad of invalidCases) {
  test(`readJsonlRecords rejects ${bad.name} naming file:line`, async () => {
    const path = bad.file ?? writeTemp('x.jsonl', bad.text!);
    await assert.rejects(readJsonlRecords(path), bad.error);
  });
}

test('readJsonlRecords names a missing file', async () => {
  await assert.rejects(readJsonlRecords('/nonexistent/d.jsonl'), /dataset \/nonexistent\/d\.jsonl: cannot read: ENOENT/);
});
