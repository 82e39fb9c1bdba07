// Items per second of `wdmoe bench` for `npm run perf`: runBench on the perf testbed's running agents
// (reused through its loopback state dir), one bundled dataset, into a temp run folder, once with
// the testbed's shaped links (100 mbit + 2 ms each way) and once unshaped. The rate counts only the
// scoring loop: from the run-start event (agents connected, sessions loaded) to the last item-done.
// Called by perf/main.ts only.
import path from 'node:path';
import { runBench, type BenchEvent, type BenchOptions } from '../bench/index.js';
import type { PerfTestbed } from './testbed.js';

export interface BenchFigure {
  shaping: 'testbed' | 'none';
  dataset: string;
  items: number;
  seconds: number; // run-start → last item done
  itemsPerSecond: number;
  totalSeconds: number; // the whole runBench call, startup included
}

export const BENCH_DATASET = 'add';

// Runs `limit` items of the dataset through bench and returns its rate.
export async function measureBench(perf: PerfTestbed, shaping: 'testbed' | 'none', limit: number, signal?: AbortSignal): Promise<BenchFigure> {
  const options: BenchOptions = {
    testbedPath: perf.file,
    datasets: [BENCH_DATASET],
    format: 'auto',
    task: 'multiple-choice',
    maxNewTokens: 16,
    policies: ['topk'],
    cwd: process.cwd(),
    linkCheck: false,
    limit,
    outDir: path.join(perf.dir, 'runs', `bench-${shaping}`),
    runsDir: path.join(perf.dir, 'runs'),
    resume: false,
    placement: 'testbed',
    shaping,
    seed: 0,
    onDeviceLoss: 'fail',
    stateDir: perf.stateDir,
    intraOpThreads: 1,
    tool: 'wdmoe perf',
  };
  let startMs: number | undefined;
  let lastMs: number | undefined;
  let items = 0;
  const onEvent = (event: BenchEvent) => {
    if (event.kind === 'run-start') startMs = performance.now();
    if (event.kind === 'item-done') {
      lastMs = performance.now();
      items += 1;
    }
  };
  const callStart = performance.now();
  await runBench(options, { signal, onEvent });
  const totalSeconds = (performance.now() - callStart) / 1000;
  const seconds = startMs !== undefined && lastMs !== undefined ? (lastMs - startMs) / 1000 : totalSeconds;
  return { shaping, dataset: BENCH_DATASET, items, seconds, itemsPerSecond: items / seconds, totalSeconds };
}
