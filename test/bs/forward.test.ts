import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardSequences } from '../../src/bs/forward.js';
import { loadGoldenCases, sequencesOf } from './golden.js';
import { goldenParity, loadLocalSetup } from './local-setup.js';

test('the monolithic forward pass (--placement local) equals the PyTorch golden logits within 1e-4', async () => {
  const { setup, release } = await loadLocalSetup();
  try {
    const { prefill } = await goldenParity(setup);
    assert.ok(prefill < 1e-4, `prefill max abs diff ${prefill}`);
  } finally {
    await release();
  }
});

test('an item\'s latency breakdown sums to its total and a full top-k run drops no expert', async () => {
  const { setup, release } = await loadLocalSetup();
  try {
    for (const golden of loadGoldenCases()) {
      const result = await forwardSequences(setup, sequencesOf(golden));
      const t = result.timing;
      const parts = t.bsComputeMs + t.downlinkMs + t.deviceComputeMs + t.uplinkMs + t.otherMs;
      assert.ok(Math.abs(parts - t.totalMs) <= 0.02 * t.totalMs, `${golden.name}: breakdown ${parts} vs total ${t.totalMs}`);
      assert.equal(result.experts.dropped, 0);
      assert.equal(result.layers.length, setup.graphs.arch.numLayers);
    }
  } finally {
    await release();
  }
});
