import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardSequences, type ForwardSetup } from '../../src/bs/forward.js';
import { createLocalChannel } from '../../src/bs/local-channel.js';
import { loadBsGraphs, loadExpertCompute } from '../../src/model/index.js';
import { POLICIES } from '../../src/policy/index.js';
import { DEFAULT_MODEL_DIR, loadGoldenCases, maxAbsDiff, sequencesOf } from './golden.js';

test('the monolithic forward pass (--placement local) equals the PyTorch golden logits within 1e-4', async () => {
  const graphs = await loadBsGraphs(DEFAULT_MODEL_DIR, { intraOpThreads: 1 });
  const compute = await loadExpertCompute(DEFAULT_MODEL_DIR, 'all', { intraOpThreads: 1 });
  const arch = graphs.arch;
  const setup: ForwardSetup = {
    graphs,
    policy: POLICIES.topk,
    devices: [{ name: 'local', downlink: { rateBitsPerSec: null, delayMs: 0 }, uplink: { rateBitsPerSec: null, delayMs: 0 }, compute: { fixedMs: 0, perRowMs: 0 } }],
    channels: [createLocalChannel('local', compute)],
    expertDevices: Array.from({ length: arch.numLayers }, () => Array.from({ length: arch.numExperts }, () => [0])),
    deadlineMs: 10_000,
    random: () => 0.5,
  };
  try {
    for (const golden of loadGoldenCases()) {
      const result = await forwardSequences(setup, sequencesOf(golden));
      const diff = maxAbsDiff(golden, result.logits, result.dims[1], arch.vocabSize);
      assert.ok(diff < 1e-4, `${golden.name}: max abs diff ${diff}`);
      const t = result.timing;
      const parts = t.bsComputeMs + t.downlinkMs + t.deviceComputeMs + t.uplinkMs + t.otherMs;
      assert.ok(Math.abs(parts - t.totalMs) <= 0.02 * t.totalMs, `breakdown ${parts} vs total ${t.totalMs}`);
      assert.equal(result.experts.dropped, 0);
    }
  } finally {
    await graphs.release();
    await compute.release();
  }
});
