// The split model through real agent processes and sockets equals PyTorch's logits (golden.json):
// shaping off and on, with the default placement (one expert per device per layer) and with one
// device holding every expert.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { TeardownStack } from '../../src/core/index.js';
import { connectDevices, type ShapingChoice } from '../../src/bench/connect-devices.js';
import { forwardSequences } from '../../src/bs/index.js';
import { loopbackDown, loopbackUp } from '../../src/loopback/index.js';
import { loadBsGraphs } from '../../src/model/index.js';
import { POLICIES } from '../../src/policy/index.js';
import { assertValidTestbed } from '../../src/testbed/index.js';
import { loadGoldenCases, loadGoldenDecodes, maxAbsDiff, maxAbsDiffRow, sequencesOf } from '../bs/golden.js';
import { MODEL_DIR, killAgents, tempDir, waitForNoAgents, writeTestbed } from './helpers.js';

const LINK = '{ uplink: { rate: 200mbit, delay: 1ms }, downlink: { rate: 200mbit, delay: 1ms } }';

for (const devices of [8, 1]) {
  test(`distributed logits (prefill and KV-cache decode) equal golden.json within 1e-4 on ${devices} device(s), shaping off and on`, async () => {
    const temp = tempDir();
    const stateDir = path.join(temp.dir, 'state');
    const teardown = new TeardownStack();
    const marker = path.basename(temp.dir).slice(-6).toLowerCase();
    try {
      const written = await writeTestbed(temp.dir, { devices, link: LINK });
      const { testbed } = await assertValidTestbed(written.file);
      await loopbackUp({ testbed, stateDir });
      const graphs = await loadBsGraphs(MODEL_DIR, { intraOpThreads: 1 });
      teardown.defer('graphs', () => graphs.release());
      for (const shaping of ['none', 'testbed'] as ShapingChoice[]) {
        const connected = await connectDevices({ testbed, placement: 'testbed', shaping, seed: 1, runDir: temp.dir, stateDir, intraOpThreads: 1, teardown });
        assert.equal(connected.agentsStarted, false, 'uses the agents loopback up started');
        for (const golden of loadGoldenCases()) {
          const result = await forwardSequences(
            { graphs, policy: POLICIES.topk.create({}), devices: connected.devices, links: () => ({ timeMs: null, states: connected.linkStatesAt(0) }), expertDevices: connected.expertDevices, deadlineMs: 10_000, random: () => 0.5 },
            sequencesOf(golden),
          );
          const diff = maxAbsDiff(golden, result.logits, result.dims[1], graphs.arch.vocabSize);
          assert.ok(diff < 1e-4, `${golden.name}, ${devices} devices, shaping ${shaping}: max abs diff ${diff}`);
          const usedDevices = new Set(result.layers.flatMap((layer) => layer.devices.map((d) => d.device)));
          assert.ok(usedDevices.size > (devices > 1 ? 1 : 0), 'experts really ran on the devices');
          if (shaping === 'testbed') assert.ok(result.timing.downlinkMs > 0 && result.timing.uplinkMs > 0);
        }
        const setup = { graphs, policy: POLICIES.topk.create({}), devices: connected.devices, links: () => ({ timeMs: null, states: connected.linkStatesAt(0) }), expertDevices: connected.expertDevices, deadlineMs: 10_000, random: () => 0.5 };
        for (const golden of loadGoldenDecodes()) {
          let step = await forwardSequences(setup, [golden.prompt_ids]);
          let offset = (golden.prompt_ids.length - 1) * graphs.arch.vocabSize;
          for (const [i, expected] of golden.steps.entries()) {
            const diff = maxAbsDiffRow(step.logits, offset, expected.logits);
            assert.ok(diff < 1e-4, `${golden.name} decode step ${i}, ${devices} devices, shaping ${shaping}: max abs diff ${diff}`);
            step = await forwardSequences(setup, [[expected.token_id]], undefined, step.cache);
            offset = 0;
          }
        }
      }
      await teardown.dispose();
      await loopbackDown({ testbed, stateDir });
      assert.deepEqual(await waitForNoAgents(marker), []);
    } finally {
      await teardown.dispose();
      killAgents(marker);
      temp.dispose();
    }
  });
}
