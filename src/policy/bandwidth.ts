// Latency-equalising bandwidth allocation (PAPERS.md "Bandwidth allocation"): given each device's work in a
// layer, choose shares b_d (Σ b_d ≤ 1, the same share in both directions) minimising max_d t_d(b_d). t_d falls
// as b_d grows, so the optimum equalises the finish times of the share-limited devices: bisection on the
// common finish time T, and for each T the smallest b_d with t_d(b_d) ≤ T by an inner bisection. Pure.
import { dependsOnShare, estimateDeviceMs, type DeviceWork } from './latency.js';
import type { PolicyContext } from './types.js';

export interface AllocationOptions {
  // Relative precision of the common finish time T (default 1e-5) and of each share (default 1e-6);
  // bisection stops there, so a layer costs a few thousand rate evaluations, not tens of thousands.
  readonly finishTolerance?: number;
  readonly shareTolerance?: number;
}

// Smallest share in [0, 1] with finish(share) ≤ target (to within `tolerance` of the share), or Infinity
// when even the whole band is too slow.
function smallestShare(finish: (share: number) => number, target: number, tolerance: number): number {
  if (finish(1) > target) return Infinity;
  let lo = 0;
  let hi = 1;
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
  const finishTolerance = options.finishTolerance ?? 1e-5;
  const inner = options.shareTolerance ?? 1e-6;
  const rowBytes = ctx.hiddenSize * ctx.bytesPerValue;
  const active = work.flatMap((w, d) => (w.rows > 0 ? [d] : []));
  const shares = new Float64Array(work.length);
  const limited = active.filter((d) => dependsOnShare(ctx.devices[d]!));
  if (limited.length === 0) return null;
  const finish = (d: number) => (share: number) => estimateDeviceMs(ctx.devices[d]!, work[d]!, share, rowBytes);
  const finishes = limited.map(finish);
  // Devices whose latency no share changes set a floor on T.
  const floor = Math.max(0, ...active.filter((d) => !limited.includes(d)).map((d) => finish(d)(1)));
  const need = (target: number) => finishes.reduce((sum, f) => sum + smallestShare(f, target, inner), 0);
  let lo = Math.max(floor, ...finishes.map((f) => f(1))); // nobody can beat their whole-band time
  let hi = Math.max(floor, ...finishes.map((f) => f(1 / limited.length))); // equal shares are feasible
  if (need(lo) <= 1) hi = lo;
  for (let i = 0; i < 60 && hi - lo > finishTolerance * hi; i++) {
    const mid = (lo + hi) / 2;
    if (need(mid) <= 1) hi = mid;
    else lo = mid;
  }
  let total = 0;
  limited.forEach((d, i) => {
    const share = smallestShare(finishes[i]!, hi, inner);
    shares[d] = Number.isFinite(share) ? share : 1 / limited.length;
    total += shares[d]!;
  });
  // Scale to Σ = 1: hands back what bisection left over (no finish time grows), or trims its rounding excess.
  if (total > 0) limited.forEach((d) => (shares[d] = shares[d]! / total));
  return shares;
}
