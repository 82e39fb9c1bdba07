// The deadline of one RUN: what the device's link and compute profile say it should take (the policy
// latency model: bytes/rate + delay each way + the profile's compute fit, policy/latency.ts), times a
// safety factor, never below a floor (scheduling noise, a GC pause) and never above the testbed's
// `timeouts.request`, which caps every request (docs/testbed.md "Deadlines"). Pure; called by bs/forward.ts.

// How much slower than the estimate a device may be before it counts as failed.
export const DEADLINE_SAFETY_FACTOR = 4;
// The least time any request is given (ms), whatever the estimate.
export const DEADLINE_FLOOR_MS = 2000;

// The deadline (ms) for a request the models estimate at `estimateMs`; `capMs` is timeouts.request.
// An estimate that cannot be made (a link at rate 0: Infinity, NaN) gets the cap. The cap wins over the floor.
export function deriveRequestDeadlineMs(estimateMs: number, capMs: number): number {
  if (!Number.isFinite(estimateMs) || estimateMs < 0) return capMs;
  const derived = Math.max(DEADLINE_FLOOR_MS, Math.ceil(estimateMs * DEADLINE_SAFETY_FACTOR));
  return Math.min(capMs, derived);
}
