// Each token's candidates from topKCandidates' insertion are topKOfRow's (the sort: largest first, ties to the
// lower index), ties, zeros, infinities and NaN rows included (fast-check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { topKOfRow } from '../../src/policy/gate.js';
import { topKCandidates } from '../../src/policy/selection.js';
import { context } from './helpers.js';

test('topKCandidates picks each row\'s top-k as topKOfRow orders it', () => {
  const value = fc.oneof(fc.constantFrom(0, -0, 0.25, 0.5, 1, Infinity, -Infinity, Number.NaN), fc.float({ noNaN: true }));
  fc.assert(fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 8 }), fc.infiniteStream(value),
    (experts, tokens, topK, values) => {
      const rows = Array.from({ length: tokens }, () => Array.from({ length: experts }, () => values.next().value as number));
      const ctx = context(rows, { topK });
      const candidates = topKCandidates(ctx);
      for (let token = 0; token < tokens; token++) {
        const expected = topKOfRow(ctx.gateProbs, token, experts, topK);
        const got = [...candidates.experts.subarray(token * topK, token * topK + expected.length)];
        assert.deepEqual(got, expected, `row ${rows[token]!.join(',')}`);
        expected.forEach((expert, j) => assert.ok(Object.is(candidates.probs[token * topK + j], ctx.gateProbs[token * experts + expert]), `prob of slot ${j}`));
        for (let j = expected.length; j < topK; j++) assert.equal(candidates.experts[token * topK + j], 0, 'slots past the experts stay 0');
      }
    }), { numRuns: 500 });
});
