import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGenDataset, loadMcDataset } from '../../src/datasets/load-dataset.js';
import { FIXTURES, fixture, writeTemp } from './helpers.js';

test('loadMcDataset resolves a bundled name and detects its format', async () => {
  const dataset = await loadMcDataset({ dataset: 'boolq', datasetsDir: FIXTURES });
  assert.equal(dataset.name, 'boolq');
  assert.equal(dataset.format, 'boolq');
  assert.equal(dataset.items.length, 2);
});

test('loadMcDataset loads the real bundled sets', async () => {
  const dataset = await loadMcDataset({ dataset: 'add' });
  assert.equal(dataset.format, 'jsonl');
  assert.ok(dataset.items.length >= 500);
});

test('an explicit format overrides detection and reports that format\'s field errors', async () => {
  await assert.rejects(loadMcDataset({ dataset: fixture('plain.jsonl'), format: 'piqa' }), /plain\.jsonl:1: field "sol1": expected a string/);
});

const invalidCases = [
  { name: 'a file in no known format', text: null, file: fixture('unknown-format.jsonl'), options: {},
    error: /unknown-format\.jsonl:1: no known dataset format has these fields: sentence, option1, option2, answer/,
    hint: /accepted formats and their fields: jsonl \(id, context, choices, gold\);.*mmlu/ },
  { name: 'an empty file', text: '\n\n', file: null, options: {}, error: /has no records/, hint: null },
  { name: 'a generation set read as multiple choice', text: null, file: fixture('gen.jsonl'), options: {},
    error: /is a generation set \(format gen\)/, hint: /--task generate/ },
  { name: 'an unknown --format', text: null, file: fixture('plain.jsonl'), options: { format: 'csv' },
    error: /unknown dataset format "csv"/, hint: /auto, jsonl, arc, piqa, hellaswag, boolq, mmlu, gen/ },
  { name: 'duplicate ids', text: '{"id":"a","context":"c","choices":["x"],"gold":0}\n{"id":"a","context":"d","choices":["x"],"gold":0}\n', file: null, options: {},
    error: /d\.jsonl:2: duplicate id "a" \(first on line 1\)/, hint: /--resume/ },
  { name: 'a bad record in the middle', text: '{"id":"a","context":"c","choices":["x"],"gold":0}\n{"id":"b","context":"d","choices":["x"],"gold":"z"}\n', file: null, options: {},
    error: /d\.jsonl:2: field "gold"/, hint: null },
];
for (const bad of invalidCases) {
  test(`loadMcDataset rejects ${bad.name}`, async () => {
    const path = bad.file ?? writeTemp('d.jsonl', bad.text!);
    await assert.rejects(loadMcDataset({ dataset: path, ...(bad.options as object) }), (error: Error & { hint?: string; exitCode?: number }) => {
      assert.match(error.message, bad.error);
      if (bad.hint !== null) assert.match(error.hint ?? '', bad.hint);
      assert.equal(error.exitCode, 2);
      return true;
    });
  });
}

test('loadGenDataset refuses a multiple-choice set', async () => {
  await assert.rejects(loadGenDataset({ dataset: fixture('plain.jsonl') }), /is a multiple-choice set \(format jsonl\)/);
});
