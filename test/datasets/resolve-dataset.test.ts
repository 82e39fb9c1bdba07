import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listBundledDatasets, resolveDataset } from '../../src/datasets/resolve-dataset.js';
import { DatasetError } from '../../src/datasets/errors.js';
import { FIXTURES, fixture } from './helpers.js';

test('resolveDataset finds a bundled name as <dir>/<name>.jsonl', () => {
  assert.deepEqual(resolveDataset('piqa', FIXTURES), { name: 'piqa', path: fixture('piqa.jsonl') });
});

test('resolveDataset takes an existing path as is and names it after the file', () => {
  assert.deepEqual(resolveDataset(fixture('arc.jsonl'), '/nonexistent'), { name: 'arc', path: fixture('arc.jsonl') });
});

test('listBundledDatasets lists the .jsonl names, sorted', () => {
  assert.deepEqual(listBundledDatasets(FIXTURES).slice(0, 3), ['arc', 'arc-hf', 'bad-json-line']);
});

test('the real bundled folder holds the synthetic families', () => {
  assert.ok(listBundledDatasets().includes('add'));
});

test('an unknown name says did-you-mean and lists the bundled sets in the hint', () => {
  assert.throws(() => resolveDataset('hellaswg', FIXTURES), (error: unknown) => {
    assert.ok(error instanceof DatasetError);
    assert.equal(error.message, 'unknown dataset "hellaswg" (did you mean "hellaswag"?)');
    assert.match(error.hint ?? '', /bundled datasets: arc, arc-hf, .*piqa/);
    assert.equal(error.exitCode, 2);
    return true;
  });
});

test('a missing path is reported as a missing file, not an unknown name', () => {
  assert.throws(() => resolveDataset('data/none.jsonl', FIXTURES), /dataset file .*data\/none\.jsonl does not exist/);
});
