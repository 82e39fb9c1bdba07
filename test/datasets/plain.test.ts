import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGenDataset, loadMcDataset } from '../../src/datasets/load-dataset.js';
import { parseGenRecord, parsePlainRecord } from '../../src/datasets/plain.js';
import { fixture } from './helpers.js';

test('plain JSONL reader keeps the bundled {id, context, choices, gold} items as written', async () => {
  const { format, items } = await loadMcDataset({ dataset: fixture('plain.jsonl') });
  assert.equal(format, 'jsonl');
  assert.deepEqual(items, [
    { id: 'add-0', context: 'add 95+6 =', choices: ['101', '91', '201', '102'], gold: 0 },
    { id: 'add-1', context: 'add 7+0 =', choices: ['8', '7', '16', '17'], gold: 1 },
  ]);
});

test('generation reader keeps {id, context, answer}', async () => {
  const { format, items } = await loadGenDataset({ dataset: fixture('gen.jsonl') });
  assert.equal(format, 'gen');
  assert.deepEqual(items[1], { id: 'add-gen-1', context: 'add 3+914 =', answer: '917' });
});

const invalidCases = [
  { name: 'gold out of range', parse: parsePlainRecord, record: { id: 'x', context: 'c', choices: ['a'], gold: 1 }, error: /p\.jsonl:3: field "gold": expected an integer index in 0\.\.0, got number 1/ },
  { name: 'gold fractional', parse: parsePlainRecord, record: { id: 'x', context: 'c', choices: ['a', 'b'], gold: 0.5 }, error: /field "gold"/ },
  { name: 'empty choices', parse: parsePlainRecord, record: { id: 'x', context: 'c', choices: [], gold: 0 }, error: /field "choices": expected a non-empty array of strings, got array \[\]/ },
  { name: 'answer not a string', parse: parseGenRecord, record: { id: 'x', context: 'c', answer: 58 }, error: /field "answer": expected a string, got number 58/ },
];
for (const bad of invalidCases) {
  test(`plain readers reject a record with ${bad.name}`, () => {
    assert.throws(() => bad.parse(bad.record, { file: 'p.jsonl', line: 3 }), bad.error);
  });
}
