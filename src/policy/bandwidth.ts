// Latency-equalising bandwidth allocation (PAPERS.md "Bandwidth allocation"): given each device's work in a
// layer, choose shares b_d (Σ b_d ≤ 1, the same share in both directions) minimising max_d t_d(b_d). t_d falls
// as b_d grows, so the optimum equalises the finish times of the share-limited devices: bisection on the
// common finish time T, and for each T the smallest b_d with t_d(b_d) ≤ T by an inner bisection. Pure.
// The simulator calls it for 1000 devices per layer (about 200,000 t_d evaluations), so each device's estimate
// terms sit in typed arrays (link-terms.ts) and the bisections allocate nothing per step; t_d is summed as
// estimateDeviceMs sums it, so the shares are the same numbers (test/policy/bandwidth.test.ts checks it against
// the plain version).
import { dependsOnShare, estimateDeviceMs, type DeviceWork } from './latency.js';
import { linkTerms, termsTransferMs, type LinkTerms } from './link-terms.js';
import type { PolicyContext } from './types.js';

export interface AllocationOptions {
  // Relative precision of the common finish time T (default 1e-4) and of each share (default 1e-5);
  // bisection stops there, so a layer costs a few thousand rate evaluations, not tens of thousands.
  readonly finishTolerance?: number;
  readonly shareTolerance?: number;
}

// The share-limited devices' estimate terms: t_i(b) = down_i(b) + compute_i + up_i(b) over bytes_i.
interface Limited {
  readonly count: number;
  readonly devices: Int32Array; // index into ctx.devices
  readonly bytes: Float64Array;
  readonly computeMs: Float64Array;
  readonly downlink: LinkTerms;
  readonly uplink: LinkTerms;
}

// t_i(share), summed in estimateDeviceMs's order (the same floating-point value).
function finishMs(limited: Limited, i: number, share: number): number {
  const bytes = limited.bytes[i]!;
  return termsTransferMs(limited.downlink, i, share, bytes) + limited.computeMs[i]! + termsTransferMs(limited.uplink, i, share, bytes);
}

// Smallest share in [lo, hi] ⊆ [0, 1] with t_i(share) ≤ target (to within `tolerance` of the share), or
// Infinity when even the whole band is too slow. The caller passes a bracket known to hold the answer.
function smallestShare(limited: Limited, i: number, target: number, tolerance: number, lo = 0, hi = 1): number {
  if (hi >= 1 && finishMs(limited, i, 1) > target) return Infinity;
  for (let step = 0; step < 60 && hi - lo > tolerance * hi; step++) {
    const mid = (lo + hi) / 2;
    if (finishMs(limited, i, mid) <= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

// Σ of `values` from the left (the order the shares' total is compared with 1 in).
function sum(values: Float64Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}

// Shares per device (0 for idle devices), or null when no device's latency depends on its share
// (fixed links without a BS pool, unlimited links): then there is nothing to allocate.
export function allocateBandwidth(ctx: PolicyContext, work: readonly DeviceWork[], options: AllocationOptions = {}): Float64Array | null {
  const finishTolerance = options.finishTolerance ?? 1e-4;
  const shareTolerance = options.shareTolerance ?? 1e-5;
  const rowBytes = ctx.hiddenSize * ctx.bytesPerValue;
  const shares = new Float64Array(work.length);
  // Devices whose latency no share changes set a floor on T.
  let floor = 0;
  const indices: number[] = [];
  for (let d = 0; d < work.length; d++) {
    if (work[d]!.rows === 0) continue;
    if (dependsOnShare(ctx.devices[d]!)) indices.push(d);
    else floor = Math.max(floor, estimateDeviceMs(ctx.devices[d]!, work[d]!, 1, rowBytes));
  }
  const count = indices.length;
  if (count === 0) return null;
  const limited: Limited = {
    count, devices: Int32Array.from(indices),
    bytes: Float64Array.from(indices, (d) => work[d]!.rows * rowBytes),
    computeMs: Float64Array.from(indices, (d) => work[d]!.expertRuns * ctx.devices[d]!.compute.fixedMs + work[d]!.pairs * ctx.devices[d]!.compute.perTokenMs),
    downlink: linkTerms(indices.map((d) => ctx.devices[d]!.downlink)),
    uplink: linkTerms(indices.map((d) => ctx.devices[d]!.uplink)),
  };
  const equal = 1 / count;
  let lo = floor; // nobody can beat their whole-band time
  let hi = floor; // equal shares are feasible
  for (let i = 0; i < count; i++) {
    lo = Math.max(lo, finishMs(limited, i, 1));
    hi = Math.max(hi, finishMs(limited, i, equal));
  }
  // Per device, the shares needed at the current hi (feasible, smaller) and lo (larger): b_d(T) falls as T
  // grows, so every later inner search is bracketed by them and takes few steps.
  const atHi = new Float64Array(count);
  const atLo = new Float64Array(count);
  const need = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    atHi[i] = smallestShare(limited, i, hi, shareTolerance, 0, equal); // ≤ 1/L each: Σ ≤ 1
    atLo[i] = smallestShare(limited, i, lo, shareTolerance);
  }
  if (sum(atLo) <= 1) {
    hi = lo;
    atHi.set(atLo);
  }
  for (let step = 0; step < 60 && hi - lo > finishTolerance * hi; step++) {
    const mid = (lo + hi) / 2;
    for (let i = 0; i < count; i++) need[i] = smallestShare(limited, i, mid, shareTolerance, atHi[i]! * (1 - shareTolerance), Math.min(1, atLo[i]!));
    if (sum(need) <= 1) {
      hi = mid;
      atHi.set(need);
    } else {
      lo = mid;
      atLo.set(need);
    }
  }
  let total = 0;
  for (let i = 0; i < count; i++) {
    const d = limited.devices[i]!;
    shares[d] = Number.isFinite(atHi[i]!) ? atHi[i]! : equal;
    total += shares[d]!;
  }
  // What bisection leaves over (Σ a little under 1) stays with the BS: spreading it in proportion would favour the
  // devices whose time is most sensitive to their share and unequalise the finish times. Rounding excess is trimmed.
  if (total > 1) for (let i = 0; i < count; i++) shares[limited.devices[i]!] = shares[limited.devices[i]!]! / total;
  return shares;
}
