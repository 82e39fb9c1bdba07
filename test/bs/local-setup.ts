// Shared by tests: the monolithic forward setup (every expert in-process, as --placement local) for a
// bundle, and the max |wdmoe − golden| of its prefill cases and KV-cache decode steps.
import { DeviceHealth, forwardSequences, type ForwardSetup } from '../../src/bs/index.js';
import { createLocalChannel } from '../../src/bs/local-channel.js';
import { loadBsGraphs, loadExpertCompute } from '../../src/model/index.js';
import { POLICIES, UNLIMITED_LINK } from '../../src/policy/index.js';
import { DEFAULT_MODEL_DIR, loadGoldenCases, loadGoldenDecodes, maxAbsDiff, maxAbsDiffRow, sequencesOf } from './golden.js';

// Loads the bundle's BS graphs and all its experts into one process.
export async function loadLocalSetup(dir = DEFAULT_MODEL_DIR): Promise<{ setup: ForwardSetup; release: () => Promise<void> }> {
  const graphs = await loadBsGraphs(dir, { intraOpThreads: 1 });
  const compute = await loadExpertCompute(dir, 'all', { intraOpThreads: 1 });
  const arch = graphs.arch;
  return {
    setup: {
      graphs,
      policy: POLICIES.topk.create({}),
      devices: [{ name: 'local', compute: { fixedMs: 0, perTokenMs: 0 }, channel: createLocalChannel('local', compute), health: new DeviceHealth('local') }],
      links: () => ({ timeMs: null, states: [{ downlink: UNLIMITED_LINK, uplink: UNLIMITED_LINK }] }),
      expertDevices: Array.from({ length: arch.numLayers }, () => Array.from({ length: arch.numExperts }, () => [0])),
      deadlineMs: 30_000,
      random: () => 0.5,
    },
    release: async () => {
      await graphs.release();
      await compute.release();
    },
  };
}

// Max |wdmoe − golden| over the bundle's prefill cases (real positions) and over every decode step.
export async function goldenParity(setup: ForwardSetup, dir = DEFAULT_MODEL_DIR): Promise<{ prefill: number; decode: number }> {
  const vocab = setup.graphs.arch.vocabSize;
  const figures = { prefill: 0, decode: 0 };
  for (const golden of loadGoldenCases(dir)) {
    const result = await forwardSequences(setup, sequencesOf(golden));
    figures.prefill = Math.max(figures.prefill, maxAbsDiff(golden, result.logits, result.dims[1], vocab));
  }
  for (const golden of loadGoldenDecodes(dir)) {
    let step = await forwardSequences(setup, [golden.prompt_ids]);
    let offset = (golden.prompt_ids.length - 1) * vocab;
    for (const expected of golden.steps) {
      figures.decode = Math.max(figures.decode, maxAbsDiffRow(step.logits, offset, expected.logits));
      step = await forwardSequences(setup, [[expected.token_id]], undefined, step.cache);
      offset = 0;
    }
  }
  return figures;
}
