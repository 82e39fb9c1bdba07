import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMcDataset } from '../../src/datasets/load-dataset.js';
import { parsePiqaRecord } from '../../src/datasets/piqa.js';
import { fixture } from './helpers.js';

test('PIQA reader builds "Question: {goal}\\nAnswer:" with the two solutions as choices', async () => {
  const { format, items } = await loadMcDataset({ dataset: fixture('piqa.jsonl') });
  assert.equal(format, 'piqa');
  assert.deepEqual(items[0], {
    id: 'line-1',
    context: "Question: When boiling butter, when it's ready, you can\nAnswer:",
    choices: ['Pour it onto a plate', 'Pour it into a jar'],
    gold: 1,
  });
  assert.equal(items[1]!.gold, 0, 'a string label "0" is accepted');
  assert.equal(items[1]!.id, 'line-2');
});

const invalidCases = [
  { name: 'label out of range', record: { goal: 'g', sol1: 'a', sol2: 'b', label: 2 }, error: /piqa\.jsonl:9: field "label": expected an integer index in 0\.\.1, got number 2/ },
  { name: 'missing label', record: { goal: 'g', sol1: 'a', sol2: 'b' }, error: /field "label": expected an integer index in 0\.\.1, got nothing \(missing\)/ },
  { name: 'sol2 not a string', record: { goal: 'g', sol1: 'a', sol2: null, label: 0 }, error: /field "sol2": expected a string, got null/ },
];
for (const bad of invalidCases) {
  test(`PIQA reader rejects a record with ${bad.name}`, () => {
    assert.throws(() => parsePiqaRecord(bad.record, { file: 'piqa.jsonl', line: 9 }), bad.error);
  });
}
