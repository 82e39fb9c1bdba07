import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMcDataset } from '../../src/datasets/load-dataset.js';
import { parseBoolqRecord } from '../../src/datasets/boolq.js';
import { fixture } from './helpers.js';

test('BoolQ reader builds "{passage}\\nQuestion: {question}?\\nAnswer:" with choices no/yes', async () => {
  const { format, items } = await loadMcDataset({ dataset: fixture('boolq.jsonl') });
  assert.equal(format, 'boolq');
  assert.deepEqual(items[0], {
    id: 'line-1',
    context: 'Persian, also known by its endonym Farsi, is one of the Western Iranian languages.\nQuestion: do iran and afghanistan speak the same language?\nAnswer:',
    choices: ['no', 'yes'],
    gold: 1,
  });
  assert.equal(items[1]!.gold, 0, 'SuperGLUE label 0 = no');
  assert.equal(items[1]!.id, '7');
});

const invalidCases = [
  { name: 'answer neither true nor false', record: { question: 'q', passage: 'p', answer: 'maybe' }, error: /b\.jsonl:2: field "answer": expected true or false, got string "maybe"/ },
  { name: 'no passage', record: { question: 'q', answer: true }, error: /field "passage": expected a string, got nothing/ },
];
for (const bad of invalidCases) {
  test(`BoolQ reader rejects a record with ${bad.name}`, () => {
    assert.throws(() => parseBoolqRecord(bad.record, { file: 'b.jsonl', line: 2 }), bad.error);
  });
}
