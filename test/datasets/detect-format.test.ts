import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFormat, listFields } from '../../src/datasets/detect-format.js';

const cases = [
  { record: { id: 'a', context: 'c', choices: ['x'], gold: 0 }, format: 'jsonl' },
  { record: { id: 'a', context: 'c', answer: '5' }, format: 'gen' },
  { record: { question: { stem: 's', choices: [] }, answerKey: 'A' }, format: 'arc' },
  { record: { question: 's', choices: { text: [], label: [] }, answerKey: 'A' }, format: 'arc' },
  { record: { goal: 'g', sol1: 'a', sol2: 'b', label: 0 }, format: 'piqa' },
  { record: { ctx: 'c', endings: [], label: 0, activity_label: 'x' }, format: 'hellaswag' },
  { record: { question: 'q', passage: 'p', answer: true }, format: 'boolq' },
  { record: { question: 'q', passage: 'p', label: 1 }, format: 'boolq' },
  { record: { question: 'q', choices: ['a', 'b', 'c', 'd'], answer: 0 }, format: 'mmlu' },
  { record: { sentence: 's', option1: 'a' }, format: null },
];
for (const { record, format } of cases) {
  test(`detectFormat recognises ${format ?? 'nothing'} from fields ${Object.keys(record).join(',')}`, () => {
    assert.equal(detectFormat(record), format);
  });
}

test('listFields shows nested object keys one level deep', () => {
  assert.deepEqual(listFields({ id: 1, question: { stem: 's', choices: [] }, tags: ['a'] }), ['id', 'question.stem', 'question.choices', 'tags']);
});
