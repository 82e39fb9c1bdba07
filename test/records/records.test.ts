import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { completedKeys, encodeResultRecord, openResultsWriter, readResults, resultKey } from '../../src/records/records.js';
import { makeResult, tempDir } from './helpers.js';

const DESIGN_KEYS = 'dataset,id,policy,prediction,gold,correct,n_tokens,latency_ms,experts';

test('each results line has exactly the DESIGN.md keys, in order, nested ones included', () => {
  const file = join(tempDir(), 'results.jsonl');
  const writer = openResultsWriter(file);
  writer.append({ ...makeResult(), extra: 1 } as never);
  writer.close();
  const line = JSON.parse(readFileSync(file, 'utf8').trim()) as Record<string, Record<string, unknown>>;
  assert.equal(Object.keys(line).join(','), DESIGN_KEYS);
  assert.equal(Object.keys(line.latency_ms!).join(','), 'total,breakdown');
  assert.equal(Object.keys(line.latency_ms!.breakdown as object).join(','), 'bs_compute,uplink,device_compute,downlink,other');
  assert.equal(Object.keys(line.experts!).join(','), 'used,dropped');
});

test('readResults returns every line and completedKeys the resume keys', () => {
  const file = join(tempDir(), 'results.jsonl');
  const writer = openResultsWriter(file);
  writer.append(makeResult({ id: 'a' }));
  writer.append(makeResult({ id: 'b', policy: 'wdmoe', prediction: 'x', gold: 'y', correct: false }));
  writer.close();
  assert.equal(readResults(file).records.length, 2);
  assert.deepEqual(completedKeys(file), new Set([resultKey('add', 'topk', 'a'), resultKey('add', 'wdmoe', 'b')]));
});

test('a torn last line is skipped with a warning, and the next writer repairs it', () => {
  const file = join(tempDir(), 'results.jsonl');
  writeFileSync(file, `${JSON.stringify(makeResult({ id: 'a' }))}\n`);
  appendFileSync(file, JSON.stringify(makeResult({ id: 'b' })).slice(0, 30));
  const read = readResults(file);
  assert.deepEqual(read.records.map((record) => record.id), ['a']);
  assert.match(read.warnings[0]!, /results\.jsonl:2: ignoring a torn last line \(30 bytes\)/);
  const writer = openResultsWriter(file);
  assert.equal(writer.truncatedBytes, 30);
  writer.append(makeResult({ id: 'b' }));
  writer.close();
  assert.deepEqual(readResults(file), { records: [makeResult({ id: 'a' }), makeResult({ id: 'b' })], warnings: [] });
});

test('completedKeys of a run that has not started is empty', () => {
  assert.equal(completedKeys(join(tempDir(), 'results.jsonl')).size, 0);
});

const invalidRecords = [
  { name: 'a negative latency', record: makeResult({ latency_ms: { total: -1, breakdown: makeResult().latency_ms.breakdown } }), error: /latency_ms/ },
  { name: 'a missing breakdown key', record: makeResult({ latency_ms: { total: 1, breakdown: { bs_compute: 1 } as never } }), error: /uplink/ },
  { name: 'a fractional token count', record: makeResult({ n_tokens: 1.5 }), error: /n_tokens/ },
  { name: 'a non-boolean correct', record: makeResult({ correct: 1 as never }), error: /correct/ },
];
for (const bad of invalidRecords) {
  test(`encodeResultRecord refuses ${bad.name}`, () => {
    assert.throws(() => encodeResultRecord(bad.record), bad.error);
  });
}

test('a corrupt line before the end is an error naming file:line', () => {
  const file = join(tempDir(), 'results.jsonl');
  writeFileSync(file, `${JSON.stringify(makeResult({ id: 'a' }))}\n{"dataset":"add"}\n${JSON.stringify(makeResult({ id: 'c' }))}\n`);
  assert.throws(() => readResults(file), /results\.jsonl:2: /);
});
