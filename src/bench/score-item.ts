// One multiple-choice item under one policy: every choice in one batched forward through the split
// model, scored as lm-eval `loglikelihood`. Returns the record lines; bench/run.ts appends them.
import { forwardSequences, type ForwardSetup } from '../bs/index.js';
import type { McItem } from '../datasets/index.js';
import { encodeItemScore, type DeviceEventRecord, type ItemScoreRecord, type LayerRecord, type ResultRecord } from '../records/index.js';
import { toDeviceEventLines, toLayerLines, toResultRecord } from './record-item.js';
import { buildChoiceBatch, pickPredictions, scoreChoiceBatch, type ScoringOptions, type TokenEncoder } from './score.js';

export interface ItemKey {
  dataset: string;
  policy: string;
  id: string;
}

// Scores `item`; the lines are returned in the order they must be appended (scores before results).
export async function scoreItem(
  key: ItemKey,
  item: McItem,
  context: { setup: ForwardSetup; tokenizer: TokenEncoder; scoring: ScoringOptions; deviceNames: readonly string[]; signal?: AbortSignal },
): Promise<{ score: ItemScoreRecord; layers: LayerRecord[]; deviceEvents: DeviceEventRecord[]; result: ResultRecord }> {
  const batch = buildChoiceBatch(item, context.tokenizer, context.scoring);
  const sequences = batch.rows.map((row, b) => Array.from(batch.inputIds.subarray(b * batch.seqLen, b * batch.seqLen + row.inputLength), Number));
  const forward = await forwardSequences(context.setup, sequences, context.signal);
  const choiceScores = scoreChoiceBatch(batch, { data: forward.logits, dims: forward.dims });
  const predictions = pickPredictions(item.choices, choiceScores);
  return {
    score: encodeItemScore(key, choiceScores, predictions, item.gold),
    layers: toLayerLines(key, 0, forward, context.deviceNames),
    deviceEvents: toDeviceEventLines(key, 0, forward),
    result: toResultRecord(key, predictions.prediction, item.gold, batch.realTokens, forward),
  };
}
