import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardSequences, generateGreedy, type ForwardSetup } from '../../src/bs/index.js';
import { createLocalChannel } from '../../src/bs/local-channel.js';
import { loadBsGraphs, loadExpertCompute } from '../../src/model/index.js';
import { POLICIES } from '../../src/policy/index.js';
import { DEFAULT_MODEL_DIR, loadGoldenDecodes, maxAbsDiffRow } from './golden.js';

async function localSetup(): Promise<{ setup: ForwardSetup; release: () => Promise<void> }> {
  const graphs = await loadBsGraphs(DEFAULT_MODEL_DIR, { intraOpThreads: 1 });
  const compute = await loadExpertCompute(DEFAULT_MODEL_DIR, 'all', { intraOpThreads: 1 });
  const arch = graphs.arch;
  return {
    setup: {
      graphs,
      policy: POLICIES.topk,
      devices: [{ name: 'local', downlink: { rateBitsPerSec: null, delayMs: 0 }, uplink: { rateBitsPerSec: null, delayMs: 0 }, compute: { fixedMs: 0, perRowMs: 0 } }],
      channels: [createLocalChannel('local', compute)],
      expertDevices: Array.from({ length: arch.numLayers }, () => Array.from({ length: arch.numExperts }, () => [0])),
      deadlineMs: 10_000,
      random: () => 0.5,
    },
    release: async () => {
      await graphs.release();
      await compute.release();
    },
  };
}

test('KV-cache decode steps equal the PyTorch golden logits within 1e-4, step by step', async () => {
  const { setup, release } = await localSetup();
  try {
    const vocab = setup.graphs.arch.vocabSize;
    for (const golden of loadGoldenDecodes()) {
      let step = await forwardSequences(setup, [golden.prompt_ids]);
      let offset = (golden.prompt_ids.length - 1) * vocab;
      for (const [i, expected] of golden.steps.entries()) {
        const diff = maxAbsDiffRow(step.logits, offset, expected.logits);
        assert.ok(diff < 1e-4, `${golden.name} step ${i}: max abs diff ${diff}`);
        step = await forwardSequences(setup, [[expected.token_id]], undefined, step.cache);
        offset = 0;
        assert.equal(step.cache.length, golden.prompt_ids.length + i + 1);
      }
    }
  } finally {
    await release();
  }
});

test('greedy generation picks the golden tokens, stops at a stop token and times every token', async () => {
  const { setup, release } = await localSetup();
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
