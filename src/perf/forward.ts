// Distributed ÷ monolithic forward for `npm run perf`: the same batch through the split model with
// the experts on the loopback agents (real processes, real sockets, shaping off) and with every
// expert in-process (placement local), interleaved one for one after a warm-up; medians compared.
// The batch is bench-like: 4 sequences × 20 tokens, cut from the bundle's golden prompts.
// Called by perf/main.ts only.
import { TeardownStack } from '../core/index.js';
import { connectDevices, type Placement } from '../bench/index.js';
import { forwardSequences, type ForwardSetup } from '../bs/index.js';
import { SeededRandom } from '../links/index.js';
import { loadBsGraphs, loadGolden } from '../model/index.js';
import { POLICIES } from '../policy/index.js';
import { median } from './stats.js';
import type { PerfTestbed } from './testbed.js';

export interface ForwardFigure {
  devices: number; // agent processes the experts are spread over
  sequences: number;
  tokensPerSequence: number;
  iterations: number;
  distributedMs: number; // median forward, experts on the agents, unshaped
  monolithicMs: number; // median forward, every expert in-process
  ratio: number;
}

const BATCH = 4;
const TOKENS = 20;
const WARMUP = 5;
const ITERATIONS = 30;

// Rows of golden.json's prefill cases (real tokens only), cut to a 4 × 20 batch.
function goldenBatch(golden: unknown): number[][] {
  const cases = (golden as { cases?: Array<{ input_ids: number[][]; attention_mask: number[][] }> }).cases ?? [];
  const rows: number[][] = [];
  for (const c of cases) {
    c.input_ids.forEach((ids, b) => rows.push(ids.filter((_, t) => c.attention_mask[b]![t] === 1)));
  }
  const usable = rows.filter((row) => row.length >= TOKENS).map((row) => row.slice(0, TOKENS));
  if (usable.length === 0) throw new Error('golden.json has no prompt of 20 tokens');
  return Array.from({ length: BATCH }, (_, i) => usable[i % usable.length]!);
}

// Median forward time with the agents vs in-process experts, on one batch.
export async function measureForward(perf: PerfTestbed, signal?: AbortSignal): Promise<ForwardFigure> {
  const teardown = new TeardownStack();
  try {
    const { testbed } = perf;
    const graphs = await loadBsGraphs(testbed.modelDir, { intraOpThreads: 1 });
    teardown.defer('BS sessions', () => graphs.release());
    const sequences = goldenBatch(await loadGolden(graphs.manifest));
    const setupFor = async (placement: Placement): Promise<ForwardSetup> => {
      const connected = await connectDevices({
        testbed, placement, shaping: 'none', seed: 1, runDir: perf.dir, stateDir: perf.stateDir, intraOpThreads: 1, teardown, signal,
      });
      const random = new SeededRandom(1);
      return { graphs, policy: POLICIES.topk.create({}), devices: connected.devices, links: () => ({ timeMs: null, states: connected.linkStatesAt(0) }),
        expertDevices: connected.expertDevices,
        deadlineMs: testbed.timeouts.requestMs, random: () => random.next() };
    };
    const distributed = await setupFor('testbed');
    const monolithic = await setupFor('local');
    const distributedSamples: number[] = [];
    const monolithicSamples: number[] = [];
    const time = async (setup: ForwardSetup, samples: number[] | undefined) => {
      const start = performance.now();
      await forwardSequences(setup, sequences, signal);
      samples?.push(performance.now() - start);
    };
    for (let i = 0; i < WARMUP; i++) {
      await time(distributed, undefined);
      await time(monolithic, undefined);
    }
    for (let i = 0; i < ITERATIONS; i++) {
      // Alternate which goes first, so neither always runs on a cache the other warmed.
      if (i % 2 === 0) {
        await time(distributed, distributedSamples);
        await time(monolithic, monolithicSamples);
      } else {
        await time(monolithic, monolithicSamples);
        await time(distributed, distributedSamples);
      }
    }
    const distributedMs = median(distributedSamples);
    const monolithicMs = median(monolithicSamples);
    return { devices: testbed.devices.length, sequences: BATCH, tokensPerSequence: TOKENS, iterations: ITERATIONS, distributedMs, monolithicMs, ratio: distributedMs / monolithicMs };
  } finally {
    await teardown.dispose();
  }
}
