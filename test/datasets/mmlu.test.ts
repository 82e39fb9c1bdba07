import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMcDataset } from '../../src/datasets/load-dataset.js';
import { parseMmluRecord } from '../../src/datasets/mmlu.js';
import { fixture } from './helpers.js';

test('MMLU reader builds the lm-eval default template with the subject description and letter choices', async () => {
  const { format, items } = await loadMcDataset({ dataset: fixture('mmlu.jsonl') });
  assert.equal(format, 'mmlu');
  assert.deepEqual(items[0], {
    id: 'line-1',
    context: 'The following are multiple choice questions (with answers) about abstract algebra.\n\n'
      + 'Find the degree for the given field extension Q(sqrt(2)) over Q.\nA. 0\nB. 2\nC. 1\nD. 3\nAnswer:',
    choices: ['A', 'B', 'C', 'D'],
    gold: 1,
  });
  assert.equal(items[1]!.context.startsWith('What is the embryological origin'), true, 'no subject → no description');
  assert.equal(items[1]!.gold, 3, 'a letter answer "D" is accepted');
});

const invalidCases = [
  { name: 'three choices', record: { question: 'q', choices: ['a', 'b', 'c'], answer: 0 }, error: /m\.jsonl:5: field "choices": expected 4 choices, got 3/ },
  { name: 'answer out of range', record: { question: 'q', choices: ['a', 'b', 'c', 'd'], answer: 4 }, error: /field "answer": expected an integer index in 0\.\.3/ },
];
for (const bad of invalidCases) {
  test(`MMLU reader rejects a record with ${bad.name}`, () => {
    assert.throws(() => parseMmluRecord(bad.record, { file: 'm.jsonl', line: 5 }), bad.error);
  });
}
