// Latency-equalising bandwidth allocation (PAPERS.md "Bandwidth allocation"): given each device's work in a
// layer, choose shares b_d (Σ b_d ≤ 1, the same share in both directions) minimising max_d t_d(b_d). t_d falls
// as b_d grows, so the optimum equalises the finish times of the share-limited devices: bisection on the
// common finish time T, and for each T the smallest b_d with t_d(b_d) ≤ T by an inner bisection. Pure.
import { dependsOnShare, estimateDeviceMs, type DeviceWork } from './latency.js';
import type { PolicyContext } from './types.js';

export interface AllocationOptions {
  // Relative precision of the common finish time T (default 1e-4) and of each share (default 1e-5);
  // bisection stops there, so a layer costs a few thousand rate evaluations, not tens of thousands.
  readonly finishTolerance?: number;
  readonly shareTolerance?: number;
}

// Smallest share in [lo, hi] ⊆ [0, 1] with finish(share) ≤ target (to within `tolerance` of the share), or
// Infinity when even the whole band is too slow. The caller passes a bracket known to hold the answer.
function smallestShare(finish: (share: number) => number, target: number, tolerance: number, lo = 0, hi = 1): number {
  if (hi >= 1 && finish(1) > target) return Infinity;
  for (let i = 0; i < 60 && hi - lo > tolerance * hi; i++) {
    const mid = (lo + hi) / 2;
    if (finish(mid) <= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

// Shares per device (0 for idle devices), or null when no device's latency depends on its share
// (fixed links without a BS pool, unlimited links): then there is nothing to allocate.
export function allocateBandwidth(ctx: PolicyContext, work: readonly DeviceWork[], options: AllocationOptions = {}): Float64Array | null {
  const finishTolerance = options.finishTolerance ?? 1e-4;
  const shareTolerance = options.shareTolerance ?? 1e-5;
  const rowBytes = ctx.hiddenSize * ctx.bytesPerValue;
  const active = work.flatMap((w, d) => (w.rows > 0 ? [d] : []));
  const shares = new Float64Array(work.length);
  const limited = active.filter((d) => dependsOnShare(ctx.devices[d]!));
  if (limited.length === 0) return null;
  const finish = (d: number) => (share: number) => estimateDeviceMs(ctx.devices[d]!, work[d]!, share, rowBytes);
  const finishes = limited.map(finish);
  // Devices whose latency no share changes set a floor on T.
  const floor = Math.max(0, ...active.filter((d) => !limited.includes(d)).map((d) => finish(d)(1)));
  let lo = Math.max(floor, ...finishes.map((f) => f(1))); // nobody can beat their whole-band time
  let hi = Math.max(floor, ...finishes.map((f) => f(1 / limited.length))); // equal shares are feasible
  // Per device, the shares needed at the current hi (feasible, smaller) and lo (larger): b_d(T) falls as T
  // grows, so every later inner search is bracketed by them and takes few steps.
  const atHi = finishes.map((f) => smallestShare(f, hi, shareTolerance, 0, 1 / limited.length)); // ≤ 1/L each: Σ ≤ 1
  const atLo = finishes.map((f) => smallestShare(f, lo, shareTolerance));
  if (atLo.reduce((sum, b) => sum + b, 0) <= 1) {
    hi = lo;
    atLo.forEach((b, i) => (atHi[i] = b));
  }
  for (let i = 0; i < 60 && hi - lo > finishTolerance * hi; i++) {
    const mid = (lo + hi) / 2;
    const need = finishes.map((f, j) => smallestShare(f, mid, shareTolerance, atHi[j]! * (1 - shareTolerance), Math.min(1, atLo[j]!)));
    if (need.reduce((sum, b) => sum + b, 0) <= 1) {
      hi = mid;
      need.forEach((b, j) => (atHi[j] = b));
    } else {
      lo = mid;
      need.forEach((b, j) => (atLo[j] = b));
    }
  }
  let total = 0;
  limited.forEach((d, i) => {
    shares[d] = Number.isFinite(atHi[i]!) ? atHi[i]! : 1 / limited.length;
    total += shares[d]!;
  });
  // What bisection leaves over (Σ a little under 1) stays with the BS: spreading it in proportion would favour the
  // devices whose time is most sensitive to their share and unequalise the finish times. Rounding excess is trimmed.
  if (total > 1) limited.forEach((d) => (shares[d] = shares[d]! / total));
  return shares;
}
