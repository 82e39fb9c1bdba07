// Multiple-choice scoring exactly as lm-evaluation-harness `loglikelihood` does it (lm_eval/api/model.py
// TemplateLM._encode_pair / loglikelihood, lm_eval/models/huggingface.py _loglikelihood_tokens,
// lm_eval/api/task.py process_results for multiple_choice). Pure functions: tokens in, batch out; logits in,
// log-likelihoods and predictions out. Called by bench/run.ts around one batched forward per item.
// Imports no model runtime: the tokenizer is any `{ encode(text) → ids }`.

import { InternalError, WdmoeError } from '../core/index.js';
import type { McItem } from '../datasets/index.js';

// lm-eval's default target_delimiter: each choice is scored as `" " + choice` after the context.
export const TARGET_DELIMITER = ' ';

export interface TokenEncoder {
  encode(text: string): number[];
}

export interface ScoringOptions {
  readonly padTokenId: number;
  // Prepended to every context when set (lm-eval with add_bos_token); null: nothing prepended.
  readonly bosTokenId: number | null;
  // Used as the whole context when the context encodes to no tokens (lm-eval prefix_token_id: BOS, else EOS).
  readonly prefixTokenId: number;
  // Longest input the model takes; longer inputs lose tokens on the left, as lm-eval does. Default: no limit.
  readonly maxLength?: number;
}

export interface EncodedPair {
  readonly context: number[];
  readonly continuation: number[];
}

// lm-eval _encode_pair: trailing spaces of the context move onto the continuation; the continuation's ids are
// what encoding the whole string adds after the context's ids.
export function encodePair(tokenizer: TokenEncoder, context: string, continuation: string): EncodedPair {
  const spaces = context.length - context.trimEnd().length;
  const movedContext = spaces > 0 ? context.slice(0, -spaces) : context;
  const movedContinuation = spaces > 0 ? context.slice(-spaces) + continuation : continuation;
  const whole = tokenizer.encode(movedContext + movedContinuation);
  const contextIds = tokenizer.encode(movedContext);
  return { context: contextIds, continuation: whole.slice(contextIds.length) };
}

// One row of a batch: where its continuation's predictions sit.
export interface ChoiceRow {
  readonly inputLength: number;        // real (unpadded) positions in this row
  readonly continuation: readonly number[];
}

// The padded inputs of one forward for all choices of an item, in the int64 layout the ONNX graphs take.
export interface ChoiceBatch {
  readonly batchSize: number;
  readonly seqLen: number;
  readonly inputIds: BigInt64Array;    // [batchSize, seqLen] row-major, right-padded with padTokenId
  readonly attentionMask: BigInt64Array; // [batchSize, seqLen], 1 real, 0 pad
  readonly rows: readonly ChoiceRow[];
  readonly realTokens: number;         // Σ inputLength: tokens the model actually processes
}

function emptyContinuationError(item: McItem, choice: number): WdmoeError {
  return new WdmoeError('bench-empty-continuation',
    `item ${item.id}: choice ${choice} (${JSON.stringify(item.choices[choice])}) encodes to no tokens`,
    { hint: 'every choice must add at least one token after the context; check the dataset', exitCode: 2 });
}

// Encodes every choice of `item` and right-pads them into one batch (lm-eval: input = (context + continuation)[:-1]).
export function buildChoiceBatch(item: McItem, tokenizer: TokenEncoder, options: ScoringOptions): ChoiceBatch {
  const inputs: number[][] = [];
  const rows: ChoiceRow[] = item.choices.map((choice, index) => {
    const pair = encodePair(tokenizer, item.context, TARGET_DELIMITER + choice);
    if (pair.continuation.length === 0) throw emptyContinuationError(item, index);
    let context = pair.context;
    if (options.bosTokenId !== null) context = [options.bosTokenId, ...context];
    else if (context.length === 0) context = [options.prefixTokenId];
    let full = [...context, ...pair.continuation];
    if (options.maxLength !== undefined) {
      if (pair.continuation.length > options.maxLength) {
        throw new WdmoeError('bench-continuation-too-long',
          `item ${item.id}: choice ${index} is ${pair.continuation.length} tokens, longer than the model's ${options.maxLength}`,
          { exitCode: 2 });
      }
      full = full.slice(-(options.maxLength + 1));
    }
    const input = full.slice(0, -1);
    inputs.push(input);
    return { inputLength: input.length, continuation: pair.continuation };
  });
  const batchSize = rows.length;
  const seqLen = Math.max(...rows.map((row) => row.inputLength));
  const inputIds = new BigInt64Array(batchSize * seqLen).fill(BigInt(options.padTokenId));
  const attentionMask = new BigInt64Array(batchSize * seqLen);
  inputs.forEach((input, row) => {
    input.forEach((id, position) => {
      inputIds[row * seqLen + position] = BigInt(id);
      attentionMask[row * seqLen + position] = 1n;
    });
  });
  const realTokens = rows.reduce((sum, row) => sum + row.inputLength, 0);
  return { batchSize, seqLen, inputIds, attentionMask, rows, realTokens };
}

// Logits of one forward, [B, T, V] row-major (what the `head` graph returns).
export interface LogitsTensor {
  readonly data: ArrayLike<number>;
  readonly dims: readonly number[];
}

// log-softmax(logits[offset .. offset+vocab))[target], computed stably (max subtracted, float64 sums).
export function logSoftmaxAt(data: ArrayLike<number>, offset: number, vocab: number, target: number): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) max = Math.max(max, data[offset + v]!);
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(data[offset + v]! - max);
  return data[offset + target]! - max - Math.log(sum);
}

// Index of the largest logit in the slice; the first one on ties (torch/numpy argmax).
export function argmaxAt(data: ArrayLike<number>, offset: number, vocab: number): number {
  let best = 0;
  for (let v = 1; v < vocab; v++) if (data[offset + v]! > data[offset + best]!) best = v;
  return best;
}

export interface ChoiceScore {
  readonly logLikelihood: number;      // Σ log p(continuation token | prefix), natural log
  readonly isGreedy: boolean;          // every continuation token is the argmax
  readonly continuationTokens: number;
}

// Each row's continuation log-likelihood from the batch's logits (lm-eval _loglikelihood_tokens).
export function scoreChoiceBatch(batch: ChoiceBatch, logits: LogitsTensor): ChoiceScore[] {
  const [batchSize, seqLen, vocab] = logits.dims;
  if (logits.dims.length !== 3 || batchSize !== batch.batchSize || seqLen === undefined || seqLen < batch.seqLen || vocab === undefined) {
    throw new InternalError(`logits dims [${logits.dims.join(',')}] do not fit a batch of ${batch.batchSize}×${batch.seqLen}`);
  }
  if (logits.data.length !== batchSize * seqLen * vocab) {
    throw new InternalError(`logits hold ${logits.data.length} values, dims [${logits.dims.join(',')}] need ${batchSize * seqLen * vocab}`);
  }
  return batch.rows.map((row, b) => {
    const first = row.inputLength - row.continuation.length;
    let logLikelihood = 0;
    let isGreedy = true;
    row.continuation.forEach((target, j) => {
      if (target >= vocab) throw new InternalError(`token id ${target} is outside the vocabulary of ${vocab}`);
      const offset = (b * seqLen + first + j) * vocab;
      logLikelihood += logSoftmaxAt(logits.data, offset, vocab, target);
      if (argmaxAt(logits.data, offset, vocab) !== target) isGreedy = false;
    });
    return { logLikelihood, isGreedy, continuationTokens: row.continuation.length };
  });
}

// First index of the largest value (numpy argmax; NaN never wins).
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]! || Number.isNaN(values[best]!)) best = i;
  return best;
}

// A choice's length as lm-eval's acc_norm counts it: Python len() of the choice text (Unicode code points,
// delimiter excluded). For ASCII text this equals its UTF-8 byte length.
export function choiceLength(choice: string): number {
  return [...choice].length;
}

export interface ItemPrediction {
  readonly prediction: number;         // argmax log-likelihood (acc)
  readonly predictionNorm: number;     // argmax log-likelihood / choiceLength (acc_norm)
  readonly choiceLengths: readonly number[];
}

// acc and acc_norm predictions for one item (lm-eval process_results, multiple_choice).
export function pickPredictions(choices: readonly string[], scores: readonly ChoiceScore[]): ItemPrediction {
  const lengths = choices.map(choiceLength);
  const logLikelihoods = scores.map((score) => score.logLikelihood);
  return {
    prediction: argmax(logLikelihoods),
    predictionNorm: argmax(logLikelihoods.map((ll, i) => ll / lengths[i]!)),
    choiceLengths: lengths,
  };
}
