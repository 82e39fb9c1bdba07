// scores.jsonl: for each multiple-choice item × policy, the per-choice log-likelihoods and the acc_norm
// prediction. results.jsonl must keep exactly its documented keys, so what acc_norm and the lm-eval
// comparison need lives here. Written just before the item's results line; the summary uses the last
// scores line per key. Called by bench/run.ts and summary.ts; imports
// nothing outside records/ (no model runtime).

import { z } from 'zod';
import { openRecordWriter, type RecordWriter } from './jsonl-append.js';
import { readJsonlTolerant } from './jsonl-read.js';

export const itemScoreSchema = z.strictObject({
  dataset: z.string(),
  id: z.string(),
  policy: z.string(),
  loglikelihoods: z.array(z.number()),           // natural log, one per choice
  is_greedy: z.array(z.boolean()),
  continuation_tokens: z.array(z.number().int().nonnegative()),
  choice_lengths: z.array(z.number().int().nonnegative()), // characters, the acc_norm divisor
  prediction: z.number().int(),                 // argmax loglikelihood (acc)
  prediction_norm: z.number().int(),            // argmax loglikelihood / choice length (acc_norm)
  gold: z.number().int(),
});
// One line of scores.jsonl.
export type ItemScoreRecord = z.infer<typeof itemScoreSchema>;

// What encodeItemScore reads of bench's ChoiceScore and ItemPrediction (bench/score.ts), declared here
// structurally so records/ never imports bench (the model runtime).
export interface ChoiceScoreFields { readonly logLikelihood: number; readonly isGreedy: boolean; readonly continuationTokens: number }
export interface ItemPredictionFields { readonly prediction: number; readonly predictionNorm: number; readonly choiceLengths: readonly number[] }

// Builds the scores line from score.ts's outputs.
export function encodeItemScore(
  key: { dataset: string; policy: string; id: string },
  scores: readonly ChoiceScoreFields[],
  predictions: ItemPredictionFields,
  gold: number,
): ItemScoreRecord {
  return itemScoreSchema.parse({
    dataset: key.dataset,
    id: key.id,
    policy: key.policy,
    loglikelihoods: scores.map((score) => score.logLikelihood),
    is_greedy: scores.map((score) => score.isGreedy),
    continuation_tokens: scores.map((score) => score.continuationTokens),
    choice_lengths: [...predictions.choiceLengths],
    prediction: predictions.prediction,
    prediction_norm: predictions.predictionNorm,
    gold,
  });
}

export type ItemScoresWriter = RecordWriter<ItemScoreRecord>;

// Opens scores.jsonl for appending whole lines.
export function openItemScoresWriter(file: string, options: { durable?: boolean } = {}): ItemScoresWriter {
  return openRecordWriter(file, itemScoreSchema, options);
}

// Every committed scores line (a torn last line is ignored; see readResults for the warning).
export function readItemScores(file: string): ItemScoreRecord[] {
  return readJsonlTolerant(file, itemScoreSchema).records;
}
