import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarizeResults, summarizeRunDir, writeSummary } from '../../src/records/summary.js';
import { openResultsWriter } from '../../src/records/records.js';
import { openItemScoresWriter, type ItemScoreRecord } from '../../src/records/item-scores.js';
import { makeResult, tempDir } from './helpers.js';

const breakdown = (total: number) => ({ bs_compute: total / 2, uplink: total / 4, device_compute: 0, downlink: total / 4, other: 0 });
const result = (id: string, policy: string, total: number, correct: boolean) =>
  makeResult({ id, policy, correct, latency_ms: { total, breakdown: breakdown(total) } });
const score = (id: string, policy: string, predictionNorm: number): ItemScoreRecord => ({
  dataset: 'add', id, policy, loglikelihoods: [-1, -2], is_greedy: [false, false], continuation_tokens: [1, 1],
  choice_lengths: [1, 1], prediction: 0, prediction_norm: predictionNorm, gold: 0,
});

test('summary groups by (dataset, policy) in order of appearance with acc, acc_norm and latency quantiles', () => {
  const results = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((total, i) => result(`a${i}`, 'topk', total, i < 7));
  results.push(result('a0', 'wdmoe', 4, false));
  const scores = [score('a0', 'topk', 0), score('a1', 'topk', 1), score('a0', 'wdmoe', 0)];
  const summary = summarizeResults(results, scores);
  assert.equal(summary.formatVersion, 1);
  assert.deepEqual(summary.groups.map((g) => [g.dataset, g.policy, g.n]), [['add', 'topk', 10], ['add', 'wdmoe', 1]]);
  const topk = summary.groups[0]!;
  assert.equal(topk.acc, 0.7);
  assert.equal(topk.acc_norm, 0.5, 'over the two items that have a scores line');
  assert.equal(topk.latency_ms.mean, 5.5);
  assert.equal(topk.latency_ms.p50, 5.5);
  assert.ok(Math.abs(topk.latency_ms.p90 - 9.1) < 1e-9, 'numpy-style linear interpolation');
  assert.ok(Math.abs(topk.latency_ms.p99 - 9.91) < 1e-9);
  assert.deepEqual(topk.breakdown_ms, { bs_compute: 2.75, uplink: 1.375, device_compute: 0, downlink: 1.375, other: 0 });
  assert.equal(Object.keys(topk).join(','), 'dataset,policy,n,acc,acc_norm,latency_ms,breakdown_ms');
  assert.equal(summary.groups[1]!.acc, 0);
});

test('a group with no scores lines (generation) has acc_norm null; a repeated key counts once', () => {
  const summary = summarizeResults([result('g', 'topk', 1, true), result('g', 'topk', 3, false)]);
  assert.equal(summary.groups[0]!.n, 1);
  assert.equal(summary.groups[0]!.acc, 0);
  assert.equal(summary.groups[0]!.acc_norm, null);
});

test('summarizeRunDir reads the run folder and writeSummary replaces summary.json atomically', () => {
  const dir = tempDir();
  const results = openResultsWriter(join(dir, 'results.jsonl'), { durable: false });
  const scores = openItemScoresWriter(join(dir, 'scores.jsonl'), { durable: false });
  scores.append(score('a', 'topk', 0));
  results.append(result('a', 'topk', 2, true));
  results.close();
  scores.close();
  const { summary, warnings } = summarizeRunDir(dir);
  assert.deepEqual(warnings, []);
  writeSummary(join(dir, 'summary.json'), summary);
  writeSummary(join(dir, 'summary.json'), summary);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')), summary);
  assert.deepEqual(readdirSync(dir).sort(), ['results.jsonl', 'scores.jsonl', 'summary.json'], 'no temp file left');
});

test('a simulated run\'s lines (correct null) give acc null; scored and unscored lines together give acc over the scored', () => {
  const unscored = (id: string) => ({ ...result(id, 'topk', 4, false), prediction: null, gold: null, correct: null });
  assert.equal(summarizeResults([unscored('b0'), unscored('b1')]).groups[0]!.acc, null);
  assert.equal(summarizeResults([unscored('b0'), result('a', 'topk', 2, true)]).groups[0]!.acc, 1);
});
