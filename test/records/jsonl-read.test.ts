import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonlTolerant } from '../../src/records/jsonl-read.js';
import { tempDir } from './helpers.js';

const schema = z.strictObject({ a: z.number() });

test('a missing file reads as no records', () => {
  assert.deepEqual(readJsonlTolerant(join(tempDir(), 'none.jsonl'), schema), { records: [], tornLine: null });
});

test('a torn last line is ignored and reported', () => {
  const file = join(tempDir(), 'x.jsonl');
  writeFileSync(file, '{"a":1}\n\n{"a":2}\n{"a":3');
  assert.deepEqual(readJsonlTolerant(file, schema), { records: [{ a: 1 }, { a: 2 }], tornLine: { line: 4, bytes: 6 } });
});

const invalidCases = [
  { name: 'bad JSON before the last line', text: '{"a":1}\n{"a":\n{"a":2}\n', error: /x\.jsonl:2: not valid JSON/ },
  { name: 'a wrong type', text: '{"a":"1"}\n', error: /x\.jsonl:1: field "a": .*number/ },
  { name: 'an extra key', text: '{"a":1,"b":2}\n', error: /x\.jsonl:1: .*"b"/ },
];
for (const bad of invalidCases) {
  test(`reading rejects ${bad.name} with file:line`, () => {
    const file = join(tempDir(), 'x.jsonl');
    writeFileSync(file, bad.text);
    assert.throws(() => readJsonlTolerant(file, schema), bad.error);
  });
}
