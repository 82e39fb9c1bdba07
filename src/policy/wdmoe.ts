// `wdmoe`: the papers' joint expert selection and bandwidth allocation (PAPERS.md "Joint"): start from
// vanilla top-k with equal shares, then alternate WLR selection (wlr.ts) with latency-equalising allocation
// (bandwidth.ts) until the selection stops changing or `rounds` is reached. A reconstruction from the papers'
// stated principles; θ and the round cap are parameters.
import { allocateBandwidth } from './bandwidth.js';
import { workOfSlots } from './device-work.js';
import { decisionFromMask, topKCandidates } from './selection.js';
import { THETA_PARAM, deviceLatencies, selectByWlr, wlrFromEqualShares } from './wlr.js';
import type { PolicyContext, PolicyDecision, BuiltinPolicyDefinition } from './types.js';

// The joint decision; `rounds` ≥ 1 caps the selection/allocation alternations.
export function jointSelection(ctx: PolicyContext, theta: number, rounds: number): PolicyDecision & { rounds: number } {
  const candidates = topKCandidates(ctx);
  let keep = wlrFromEqualShares(ctx, candidates, theta);
  let decision = decisionFromMask(ctx, candidates, keep);
  let shares = allocateBandwidth(ctx, workOfSlots(decision.experts, decision.slotDevice, decision.k, ctx.devices.length));
  let round = 1;
  for (; round < rounds && shares !== null; round++) {
    const current = shares;
    // Devices the allocation gave nothing cannot take work without taking bandwidth from the rest: priced at ∞.
    const latency = deviceLatencies(ctx, candidates, keep, (d) => current[d]!, (d) => current[d]!);
    const next = selectByWlr(ctx, candidates, latency, theta);
    if (next.every((kept, slot) => kept === keep[slot])) break;
    keep = next;
    decision = decisionFromMask(ctx, candidates, keep, null, (d) => current[d]!);
    shares = allocateBandwidth(ctx, workOfSlots(decision.experts, decision.slotDevice, decision.k, ctx.devices.length));
  }
  decision.bandwidthShare = shares;
  return Object.assign(decision, { rounds: round });
}

export const wdmoePolicy: BuiltinPolicyDefinition = {
  name: 'wdmoe',
  description: 'joint WLR expert selection (θ) and latency-equalising bandwidth allocation, alternated',
  params: {
    theta: THETA_PARAM,
    rounds: { type: 'integer', default: 5, min: 1, max: 50, description: 'most selection/allocation alternations per layer' },
  },
  create: (params) => {
    const theta = params['theta'] as number;
    const rounds = params['rounds'] as number;
    return (ctx) => {
      const { rounds: _rounds, ...decision } = jointSelection(ctx, theta, rounds);
      return decision;
    };
  },
};
