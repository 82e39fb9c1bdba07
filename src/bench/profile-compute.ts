// Measures a device's expert compute time as a function of the number of token rows: RUNs of one expert
// over n rows (n = 1, 2, 4, …), repeated, timed by the agent itself (RESULT's compute time), sent with the
// links unlimited for this measurement so shaping does not slow it. Called by profile-run.ts.
import { median } from 'simple-statistics';
import type { DeviceChannel } from '../bs/index.js';
import { NO_EXPERT_SLOT } from '../policy/index.js';
import type { ComputeSample } from './profile-fit.js';

export interface ComputeProbe {
  readonly layer: number;
  readonly expert: number;
}

export interface ComputeMeasureOptions {
  readonly hidden: number;
  readonly tokens: readonly number[]; // row counts to measure
  readonly repeats: number; // per row count; the median is kept
  readonly warmup: number; // rounds over every row count before measuring (first runs of a shape pay warm-up)
  readonly deadlineMs: number;
  readonly signal?: AbortSignal;
}

const UNLIMITED = { rateBitsPerSec: null, delayMs: 0 };

// One sample per row count: the median agent-reported compute time of `probe` over that many rows.
export async function measureCompute(channel: DeviceChannel, probe: ComputeProbe, options: ComputeMeasureOptions): Promise<ComputeSample[]> {
  const run = async (rows: number) => {
    const states = new Float32Array(rows * options.hidden);
    for (let i = 0; i < states.length; i++) states[i] = Math.sin(i * 12.9898) * 0.5; // deterministic, not all zero
    const experts = new Uint16Array(rows).fill(probe.expert);
    if (probe.expert === NO_EXPERT_SLOT) throw new RangeError('probe expert must be a real expert');
    const reply = await channel.run(
      { layer: probe.layer, hidden: options.hidden, rows, k: 1, states, experts, weights: new Float32Array(rows).fill(1) },
      { deadlineMs: options.deadlineMs, signal: options.signal, link: { downlink: UNLIMITED, uplink: UNLIMITED } },
    );
    reply.release?.();
    return reply.timing.deviceComputeMs;
  };
  for (let i = 0; i < options.warmup; i++) for (const tokens of options.tokens) await run(tokens);
  // Row counts interleaved (1, 2, 4, …, 1, 2, 4, …) so a slow spell of the machine spreads over all of them.
  const times = options.tokens.map(() => [] as number[]);
  for (let r = 0; r < options.repeats; r++) for (const [i, tokens] of options.tokens.entries()) times[i]!.push(await run(tokens));
  return options.tokens.map((tokens, i) => ({ tokens, ms: median(times[i]!) }));
}
