import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMcDataset } from '../../src/datasets/load-dataset.js';
import { parseArcRecord } from '../../src/datasets/arc.js';
import { fixture } from './helpers.js';

const at = { file: 'arc.jsonl', line: 3 };

test('ARC reader builds lm-eval arc prompts and finds gold by label, digit labels included', async () => {
  const { format, items, name } = await loadMcDataset({ dataset: fixture('arc.jsonl') });
  assert.equal(format, 'arc');
  assert.equal(name, 'arc');
  assert.deepEqual(items[0], {
    id: 'Mercury_7175875',
    context: 'Question: An astronomer observes that a planet rotates faster after a meteorite impact. Which is the most likely effect of this increase in rotation?\nAnswer:',
    choices: ['Planetary density will decrease.', 'Planetary years will become longer.', 'Planetary days will become shorter.', 'Planetary gravity will become stronger.'],
    gold: 2,
  });
  assert.equal(items[1]!.gold, 1, 'answerKey "2" among labels 1..4');
  assert.equal(items[2]!.gold, 0, 'answerKey "1" where labels are letters maps to A');
  assert.equal(items[2]!.choices.length, 3);
});

test('ARC reader accepts the Hugging Face ai2_arc layout', async () => {
  const { format, items } = await loadMcDataset({ dataset: fixture('arc-hf.jsonl') });
  assert.equal(format, 'arc');
  assert.equal(items[0]!.context.startsWith('Question: George wants'), true);
  assert.equal(items[0]!.gold, 0);
  assert.equal(items[0]!.choices[3], 'palms covered with lotion');
});

const invalidCases = [
  { name: 'answer key not among labels', record: { question: { stem: 'q', choices: [{ text: 'a', label: 'A' }] }, answerKey: 'E' }, error: /arc\.jsonl:3: field "answerKey": "E" is not one of the labels \["A"\]/ },
  { name: 'choice without text', record: { question: { stem: 'q', choices: [{ label: 'A' }] }, answerKey: 'A' }, error: /field "question\.choices\[0\]": expected \{text: string, label: string\}/ },
  { name: 'empty choices', record: { question: { stem: 'q', choices: [] }, answerKey: 'A' }, error: /expected at least one choice/ },
  { name: 'stem not a string', record: { question: { stem: 7, choices: [{ text: 'a', label: 'A' }] }, answerKey: 'A' }, error: /field "question\.stem": expected a string, got number 7/ },
  { name: 'labels and texts differ in length', record: { question: 'q', choices: { text: ['a', 'b'], label: ['A'] }, answerKey: 'A' }, error: /1 labels for 2 choices/ },
];
for (const bad of invalidCases) {
  test(`ARC reader rejects a record with ${bad.name}`, () => {
    assert.throws(() => parseArcRecord(bad.record, at), bad.error);
  });
}
