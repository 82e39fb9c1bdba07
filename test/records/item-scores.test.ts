import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { encodeItemScore, openItemScoresWriter, readItemScores } from '../../src/records/item-scores.js';
import { tempDir } from './helpers.js';

test('scores lines carry per-choice log-likelihoods and both predictions, and read back', () => {
  const file = join(tempDir(), 'scores.jsonl');
  const record = encodeItemScore(
    { dataset: 'add', policy: 'topk', id: 'add-0' },
    [{ logLikelihood: -1.5, isGreedy: true, continuationTokens: 2 }, { logLikelihood: -3, isGreedy: false, continuationTokens: 3 }],
    { prediction: 0, predictionNorm: 1, choiceLengths: [1, 5] },
    1,
  );
  const writer = openItemScoresWriter(file, { durable: false });
  writer.append(record);
  writer.close();
  assert.deepEqual(readItemScores(file), [{
    dataset: 'add', id: 'add-0', policy: 'topk', loglikelihoods: [-1.5, -3], is_greedy: [true, false],
    continuation_tokens: [2, 3], choice_lengths: [1, 5], prediction: 0, prediction_norm: 1, gold: 1,
  }]);
});
