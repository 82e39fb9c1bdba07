import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  argmax, buildChoiceBatch, choiceLength, encodePair, logSoftmaxAt, pickPredictions, scoreChoiceBatch,
  type ChoiceBatch, type ScoringOptions, type TokenEncoder,
} from '../../src/bench/score.js';
import { loadTokenizer } from '../../src/bench/tokenizer.js';

// A character tokenizer: ids 0..2 are <pad>, <s>, </s>; every character of ALPHABET is one token.
const ALPHABET = ' abcdefghijklmnopqrstuvwxyz:=?';
const VOCAB = 3 + ALPHABET.length;
const chars: TokenEncoder = { encode: (text) => [...text].map((c) => 3 + ALPHABET.indexOf(c)) };
const ids = (text: string) => chars.encode(text);
const noBos: ScoringOptions = { padTokenId: 0, bosTokenId: null, prefixTokenId: 1 };

test('encodePair moves trailing spaces of the context onto the continuation (lm-eval _encode_pair)', () => {
  assert.deepEqual(encodePair(chars, 'ab  ', 'c'), { context: ids('ab'), continuation: ids('  c') });
  assert.deepEqual(encodePair(chars, 'ab', ' c'), { context: ids('ab'), continuation: ids(' c') });
});

test('encodePair takes the continuation from the whole encoding, so merges across the boundary count', async () => {
  const bpe = await loadTokenizer(join(new URL('../fixtures/tokenizer/', import.meta.url).pathname, 'tokenizer.json'));
  const context = 'Question: What is 12 plus 35?\nAnswer:';
  const pair = encodePair(bpe, context, ' 47');
  assert.deepEqual(pair.context, bpe.encode(context));
  assert.deepEqual([...pair.context, ...pair.continuation], bpe.encode(`${context} 47`));
  const moved = encodePair(bpe, 'Answer: ', '47');
  assert.deepEqual([...moved.context, ...moved.continuation], bpe.encode('Answer: 47'));
  assert.deepEqual(moved.context, bpe.encode('Answer:'));
});

test('buildChoiceBatch right-pads inputs (context + continuation minus the last token) with a mask', () => {
  const batch = buildChoiceBatch({ id: 'x', context: 'ab', choices: ['c', 'de'], gold: 0 }, chars, noBos);
  assert.equal(batch.batchSize, 2);
  assert.equal(batch.seqLen, 4);
  const row0 = [...ids('ab '), 0].map(BigInt);
  const row1 = ids('ab d').map(BigInt);
  assert.deepEqual([...batch.inputIds], [...row0, ...row1]);
  assert.deepEqual([...batch.attentionMask], [1n, 1n, 1n, 0n, 1n, 1n, 1n, 1n]);
  assert.deepEqual(batch.rows, [{ inputLength: 3, continuation: ids(' c') }, { inputLength: 4, continuation: ids(' de') }]);
  assert.equal(batch.realTokens, 7);
});

test('buildChoiceBatch prepends BOS when configured, and the prefix token only for an empty context', () => {
  const withBos = buildChoiceBatch({ id: 'x', context: 'ab', choices: ['c'], gold: 0 }, chars, { ...noBos, bosTokenId: 1 });
  assert.deepEqual([...withBos.inputIds], [1n, ...ids('ab ').map(BigInt)]);
  const empty = buildChoiceBatch({ id: 'x', context: '', choices: ['c'], gold: 0 }, chars, { ...noBos, prefixTokenId: 2 });
  assert.deepEqual([...empty.inputIds], [2n, BigInt(ids(' ')[0]!)]);
  assert.deepEqual(empty.rows[0]!.continuation, ids(' c'));
  const plain = buildChoiceBatch({ id: 'x', context: 'ab', choices: ['c'], gold: 0 }, chars, noBos);
  assert.deepEqual([...plain.inputIds], ids('ab ').map(BigInt), 'no BOS, non-empty context: nothing prepended');
});

test('buildChoiceBatch drops tokens on the left beyond maxLength, keeping the continuation', () => {
  const batch = buildChoiceBatch({ id: 'x', context: 'abcdef', choices: ['g'], gold: 0 }, chars, { ...noBos, maxLength: 4 });
  assert.deepEqual([...batch.inputIds], ids('def ').map(BigInt), 'last maxLength+1 tokens, minus the final one');
  assert.equal(batch.rows[0]!.inputLength, 4);
});

const invalidBatches = [
  { name: 'a continuation longer than the model', options: { ...noBos, maxLength: 1 }, choices: ['abc'], error: /choice 0 is 4 tokens, longer than the model's 1/ },
  { name: 'a choice that encodes to nothing', options: noBos, choices: ['a'], tokenizer: { encode: (t: string) => (t === 'q' ? [5] : t === 'q a' ? [5] : []) }, error: /choice 0 \("a"\) encodes to no tokens/ },
];
for (const bad of invalidBatches) {
  test(`buildChoiceBatch rejects ${bad.name}`, () => {
    assert.throws(() => buildChoiceBatch({ id: 'q1', context: 'q', choices: bad.choices, gold: 0 }, bad.tokenizer ?? chars, bad.options), bad.error);
  });
}

// Logits whose softmax at every position is `probs` except where `rows` place a distribution.
function makeLogits(batch: ChoiceBatch, at: (b: number, t: number) => number[]): { data: Float32Array; dims: number[] } {
  const data = new Float32Array(batch.batchSize * batch.seqLen * VOCAB);
  for (let b = 0; b < batch.batchSize; b++) {
    for (let t = 0; t < batch.seqLen; t++) {
      const probs = at(b, t);
      probs.forEach((p, v) => { data[(b * batch.seqLen + t) * VOCAB + v] = Math.log(p); });
    }
  }
  return { data, dims: [batch.batchSize, batch.seqLen, VOCAB] };
}

test('scoreChoiceBatch sums log-probabilities of the continuation tokens at the right positions', () => {
  const item = { id: 'x', context: 'ab', choices: ['c', 'de'], gold: 1 };
  const batch = buildChoiceBatch(item, chars, noBos);
  const [space, c, d, e] = ids(' cde') as [number, number, number, number];
  // Uniform everywhere, except: position 1 (after "ab") gives " " 0.5; row 0 position 2 gives "c" 0.25;
  // row 1 position 2 gives "d" 0.5 (and it is the argmax), position 3 gives "e" 0.8.
  const uniform = Array<number>(VOCAB).fill(1 / VOCAB);
  const peaked = (token: number, p: number) => uniform.map((_, v) => (v === token ? p : (1 - p) / (VOCAB - 1)));
  const logits = makeLogits(batch, (b, t) => {
    if (t === 1) return peaked(space, 0.5);
    if (b === 0 && t === 2) return peaked(c, 0.25);
    if (b === 1 && t === 2) return peaked(d, 0.5);
    if (b === 1 && t === 3) return peaked(e, 0.8);
    return uniform;
  });
  const scores = scoreChoiceBatch(batch, logits);
  assert.ok(Math.abs(scores[0]!.logLikelihood - (Math.log(0.5) + Math.log(0.25))) < 1e-6);
  assert.ok(Math.abs(scores[1]!.logLikelihood - (Math.log(0.5) + Math.log(0.5) + Math.log(0.8))) < 1e-6);
  assert.deepEqual(scores.map((s) => s.isGreedy), [true, true]);
  assert.deepEqual(scores.map((s) => s.continuationTokens), [2, 3]);
  const dull = scoreChoiceBatch(batch, makeLogits(batch, () => uniform.map((_, v) => (v === 7 ? 0.9 : 0.1 / (VOCAB - 1)))));
  assert.deepEqual(dull.map((s) => s.isGreedy), [false, false]);
});

const badLogits = [
  { name: 'wrong batch size', dims: [3, 4, VOCAB], error: /do not fit a batch of 2×4/ },
  { name: 'too few positions', dims: [2, 3, VOCAB], error: /do not fit/ },
  { name: 'data shorter than dims', dims: [2, 4, VOCAB + 1], error: /need/ },
];
for (const bad of badLogits) {
  test(`scoreChoiceBatch refuses logits with ${bad.name}`, () => {
    const batch = buildChoiceBatch({ id: 'x', context: 'ab', choices: ['c', 'de'], gold: 0 }, chars, noBos);
    const data = new Float32Array(2 * 4 * VOCAB);
    assert.throws(() => scoreChoiceBatch(batch, { data, dims: bad.dims }), bad.error);
  });
}

test('logSoftmaxAt is stable for huge logits and shift invariant', () => {
  const data = [1000, 1001, 999];
  const expected = 1001 - (1001 + Math.log(Math.exp(-1) + 1 + Math.exp(-2)));
  assert.ok(Math.abs(logSoftmaxAt(data, 0, 3, 1) - expected) < 1e-12);
  fc.assert(fc.property(
    fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 2, maxLength: 16 }),
    fc.double({ min: -1e4, max: 1e4, noNaN: true }),
    (values, shift) => {
      const total = values.reduce((sum, _, v) => sum + Math.exp(logSoftmaxAt(values, 0, values.length, v)), 0);
      const shifted = values.map((x) => x + shift);
      return Math.abs(total - 1) < 1e-9
        && Math.abs(logSoftmaxAt(values, 0, values.length, 0) - logSoftmaxAt(shifted, 0, values.length, 0)) < 1e-6;
    },
  ));
});

test('pickPredictions: acc takes the raw argmax, acc_norm divides by the choice length in characters', () => {
  const scores = [-4, -6].map((logLikelihood) => ({ logLikelihood, isGreedy: false, continuationTokens: 1 }));
  // raw: choice 0 wins; per character: -4/2 = -2 vs -6/6 = -1 → choice 1 wins.
  assert.deepEqual(pickPredictions(['ab', 'abcdef'], scores), { prediction: 0, predictionNorm: 1, choiceLengths: [2, 6] });
});

test('argmax returns the first of equal maxima, like numpy', () => {
  assert.equal(argmax([1, 3, 3]), 1);
  assert.equal(argmax([-Infinity, -Infinity]), 0);
});

test('choiceLength counts code points, as Python len() does', () => {
  assert.equal(choiceLength('café'), 4);
  assert.equal(choiceLength('🙂a'), 2);
});
