import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardSequences, generateGreedy } from '../../src/bs/index.js';
import { loadGoldenDecodes } from './golden.js';
import { goldenParity, loadLocalSetup } from './local-setup.js';

test('KV-cache decode steps equal the PyTorch golden logits within 1e-4, step by step', async () => {
  const { setup, release } = await loadLocalSetup();
  try {
    const { decode } = await goldenParity(setup);
    assert.ok(decode < 1e-4, `decode max abs diff ${decode}`);
    const golden = loadGoldenDecodes()[0]!;
    let step = await forwardSequences(setup, [golden.prompt_ids]);
    for (const [i, expected] of golden.steps.entries()) {
      step = await forwardSequences(setup, [[expected.token_id]], undefined, step.cache);
      assert.equal(step.cache.length, golden.prompt_ids.length + i + 1, 'the cache grows by one position per step');
    }
  } finally {
    await release();
  }
});

test('greedy generation picks the golden tokens, stops at a stop token and times every token', async () => {
  const { setup, release } = await loadLocalSetup();
  try {
    const golden = loadGoldenDecodes()[0]!;
    const expected = golden.steps.map((s) => s.token_id);
    const all = await generateGreedy(setup, golden.prompt_ids, { maxNewTokens: expected.length, isStop: () => false });
    assert.deepEqual(all.tokens, expected);
    assert.equal(all.stoppedBy, 'max-tokens');
    assert.equal(all.tpotMs.length, expected.length - 1);
    assert.ok(all.ttftMs > 0);
    const stopAt = expected[2]!;
    const stopped = await generateGreedy(setup, golden.prompt_ids, { maxNewTokens: 20, isStop: (id) => id === stopAt });
    assert.equal(stopped.stoppedBy, 'stop-token');
    assert.deepEqual(stopped.tokens, expected.slice(0, expected.indexOf(stopAt)));
  } finally {
    await release();
  }
});
