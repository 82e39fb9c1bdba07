// The step of a rate trace in force at a moment: the trace loops with period durationMs, and step i
// holds from its startMs until the next step's. Binary search over the steps; no allocation.
// Called by link-states.ts and by anyone replaying a trace. Imports only ./types.
import type { RateTrace } from './types.js';

export type TraceStep = RateTrace['steps'][number];

// The step in force at `timeMs` (looping; times before 0 count back from the end).
export function traceStepAt(trace: RateTrace, timeMs: number): TraceStep {
  const { steps, durationMs } = trace;
  const t = ((timeMs % durationMs) + durationMs) % durationMs;
  // Before the first step (a trace whose first line is at t > 0) the previous loop's last step holds.
  if (t < steps[0]!.startMs) return steps.at(-1)!;
  let low = 0;
  let high = steps.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (steps[middle]!.startMs <= t) low = middle;
    else high = middle - 1;
  }
  return steps[low]!;
}

// When the trace is in an outage at `timeMs` (rate 0: a Mahimahi window with no delivery), how long until it
// delivers again and at what step: the bytes wait for the link to come back (one loop at most; null when the
// trace never delivers, which the readers refuse).
export function outageEndAt(trace: RateTrace, timeMs: number): { waitMs: number; step: TraceStep } | null {
  const { steps, durationMs } = trace;
  const t = ((timeMs % durationMs) + durationMs) % durationMs;
  const current = traceStepAt(trace, timeMs);
  if (current.rateBitsPerSec > 0) return { waitMs: 0, step: current };
  const from = steps.indexOf(current);
  for (let i = 1; i <= steps.length; i++) {
    const index = (from + i) % steps.length;
    const step = steps[index]!;
    if (step.rateBitsPerSec <= 0) continue;
    const startMs = step.startMs + (index <= from ? durationMs : 0);
    return { waitMs: Math.max(0, startMs - t), step };
  }
  return null;
}
