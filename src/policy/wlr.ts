// Weight-to-latency-ratio expert selection (PAPERS.md "Selection (WLR)", paper 1): for token j and each of
// its top-k experts e, ρ_je = w_je / t_d(e), t_d the estimated latency of the device that would run e; keep
// the expert with the largest ρ, and another only if ρ_je ≥ θ · max ρ. θ = 0 keeps the top-k (vanilla MoE).
// `wlr` is the selection alone with equal bandwidth; wdmoe.ts alternates it with bandwidth allocation.
import { equalShares, workOfSlots } from './device-work.js';
import { estimateDeviceMs } from './latency.js';
import { assignReplicas } from './replicas.js';
import { availableMask, decisionFromMask, keepFirst, topKCandidates, type Candidates } from './selection.js';
import type { PolicyContext, BuiltinPolicyDefinition } from './types.js';

export const THETA_PARAM = {
  type: 'number', default: 0.1, min: 0, max: 1,
  description: 'keep a further expert only if its weight-to-latency ratio is ≥ θ × the token\'s best (0 = top-k, 1 = one expert)',
} as const;

// Each device's estimated latency if it ran what `keep` gives it, with `shareOf(d)` of the bandwidth;
// a device with no work is priced as if it took one row at `idleShare(d)` (Infinity when that is 0).
export function deviceLatencies(ctx: PolicyContext, candidates: Candidates, keep: Uint8Array,
  shareOf: (device: number) => number, idleShare: (device: number) => number): Float64Array {
  const masked = new Uint16Array(candidates.experts.length).fill(0xffff);
  keep.forEach((kept, slot) => kept && (masked[slot] = candidates.experts[slot]!));
  const slotDevice = assignReplicas(ctx, masked, candidates.k, shareOf);
  const work = workOfSlots(masked, slotDevice, candidates.k, ctx.devices.length);
  const rowBytes = ctx.hiddenSize * ctx.bytesPerValue;
  return Float64Array.from(ctx.devices, (device, d) => {
    if (work[d]!.rows > 0) return estimateDeviceMs(device, work[d]!, shareOf(d), rowBytes);
    const share = idleShare(d);
    return share > 0 ? estimateDeviceMs(device, { rows: 1, expertRuns: 1, pairs: 1 }, share, rowBytes) : Infinity;
  });
}

// The WLR keep mask given each device's latency: per token the best-ρ expert, plus those within θ of it.
// An expert's device is its fastest available replica.
export function selectByWlr(ctx: PolicyContext, candidates: Candidates, latencyMs: Float64Array, theta: number): Uint8Array {
  const { k } = candidates;
  const available = availableMask(ctx, candidates);
  const keep = new Uint8Array(candidates.experts.length);
  const rho = new Float64Array(k);
  // The fastest available replica's latency per expert, once per call (not per slot: 1000 devices give an
  // expert 125 replicas in the simulator); NaN = not computed yet, Infinity = no available replica.
  const fastest = new Float64Array(ctx.numExperts).fill(Number.NaN);
  const fastestOf = (expert: number): number => {
    if (Number.isNaN(fastest[expert]!)) {
      let t = Infinity;
      for (const d of ctx.expertDevices[expert] ?? []) if (ctx.devices[d]?.available !== false && latencyMs[d]! < t) t = latencyMs[d]!;
      fastest[expert] = t;
    }
    return fastest[expert]!;
  };
  for (let token = 0; token < ctx.tokens; token++) {
    let best = -1;
    for (let j = 0; j < k; j++) {
      const slot = token * k + j;
      rho[j] = -1;
      if (!available[slot]) continue;
      const t = fastestOf(candidates.experts[slot]!);
      rho[j] = candidates.probs[slot]! / Math.max(t, 1e-9);
      if (best < 0 || rho[j]! > rho[best]!) best = j;
    }
    if (best < 0) continue; // no candidate is available: the token keeps only its residual
    for (let j = 0; j < k; j++) if (j === best || (rho[j]! >= 0 && rho[j]! >= theta * rho[best]!)) keep[token * k + j] = 1;
  }
  return keep;
}

// One WLR round from vanilla top-k with equal shares: what `wlr` runs and where `wdmoe` starts.
export function wlrFromEqualShares(ctx: PolicyContext, candidates: Candidates, theta: number): Uint8Array {
  const start = keepFirst(ctx, candidates, candidates.k);
  const startSlots = decisionFromMask(ctx, candidates, start);
  const shares = equalShares(workOfSlots(startSlots.experts, startSlots.slotDevice, startSlots.k, ctx.devices.length));
  const active = shares.filter((share) => share > 0).length;
  const latency = deviceLatencies(ctx, candidates, start, (d) => shares[d]! || 1 / (active + 1), () => 1 / (active + 1));
  return selectByWlr(ctx, candidates, latency, theta);
}

export const wlrPolicy: BuiltinPolicyDefinition = {
  name: 'wlr',
  description: 'weight-to-latency-ratio expert selection (threshold θ), equal bandwidth',
  params: { theta: THETA_PARAM },
  create: (params) => {
    const theta = params['theta'] as number;
    return (ctx) => {
      const candidates = topKCandidates(ctx);
      return decisionFromMask(ctx, candidates, wlrFromEqualShares(ctx, candidates, theta));
    };
  },
};
