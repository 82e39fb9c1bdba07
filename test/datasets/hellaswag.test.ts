import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMcDataset } from '../../src/datasets/load-dataset.js';
import { capitalizeLikePython, parseHellaswagRecord, preprocessHellaswagText } from '../../src/datasets/hellaswag.js';
import { fixture } from './helpers.js';

// Expected strings were produced by lm-eval's own preprocess (lm_eval/tasks/hellaswag/utils.py) in Python.
test('HellaSwag reader applies lm-eval preprocess to the query and every ending', async () => {
  const { format, items } = await loadMcDataset({ dataset: fixture('hellaswag.jsonl') });
  assert.equal(format, 'hellaswag');
  assert.deepEqual(items[0], {
    id: '24',
    context: 'Roof shingle removal: A man is sitting on a roof. He',
    choices: ['is using wrap to wrap a pair of skis.', 'is ripping level tiles off.', "is holding a rubik's cube.", 'starts pulling up roofing on a roof.'],
    gold: 3,
  });
  assert.deepEqual(items[1], {
    id: '92',
    context: "Personal Care and Style: How to increase the length of your hair. Use a wide tooth comb. Don't brush wet hair",
    choices: [' Brushing  wet hair causes breakage.', 'Instead, use a comb.', 'Wet hair is fragile.', 'Use heat. daily.'],
    gold: 0,
  });
});

test('HellaSwag preprocess and capitalize behave like their Python originals', () => {
  assert.equal(preprocessHellaswagText('  a [title] b [step] c  '), 'a. b c');
  assert.equal(capitalizeLikePython('dON\'T stop'), "Don't stop");
  assert.equal(capitalizeLikePython(''), '');
});

test('HellaSwag reader falls back to ctx when ctx_a/ctx_b are absent', () => {
  const item = parseHellaswagRecord({ activity_label: 'Cooking', ctx: 'a pan is heated', endings: ['x', 'y'], label: 1 }, { file: 'h', line: 1 });
  assert.equal(item.context, 'Cooking: a pan is heated');
});

const invalidCases = [
  { name: 'label beyond the endings', record: { activity_label: 'a', ctx: 'c', endings: ['x'], label: '3' }, error: /h\.jsonl:4: field "label": expected an integer index in 0\.\.0, got string "3"/ },
  { name: 'endings not strings', record: { activity_label: 'a', ctx: 'c', endings: [1, 2], label: 0 }, error: /field "endings": expected a non-empty array of strings/ },
  { name: 'ctx_a without ctx_b', record: { activity_label: 'a', ctx_a: 'c', endings: ['x'], label: 0 }, error: /field "ctx_b": expected a string/ },
];
for (const bad of invalidCases) {
  test(`HellaSwag reader rejects a record with ${bad.name}`, () => {
    assert.throws(() => parseHellaswagRecord(bad.record, { file: 'h.jsonl', line: 4 }), bad.error);
  });
}
