// `wdmoe`: the papers' joint expert selection and bandwidth allocation (PAPERS.md "Joint"): start from
// vanilla top-k with equal shares, then alternate WLR selection (wlr.ts) with latency-equalising allocation
// (bandwidth.ts) until the selection stops changing or `rounds` is reached. A reconstruction from the papers'
// stated principles; θ, the round cap and how later rounds price a device are parameters.
// Why later rounds price devices at an equal split by default: after an allocation every busy device finishes at
// the same T, so ρ = w/t would reduce to the gate weight alone and undo the channel-aware drops (measured: on a
// synthetic layer the literal variant ends at bw's top-k). At an equal split among the devices in use, a device's
// latency still shows its channel and load; the allocation then compensates the ones kept. In that default, the
// rounds only drop (an expert dropped stays dropped), which makes them settle; the allocation runs once, at the end.
import { allocateBandwidth } from './bandwidth.js';
import { workOfSlots } from './device-work.js';
import { decisionFromMask, topKCandidates } from './selection.js';
import { THETA_PARAM, deviceLatencies, selectByWlr, wlrFromEqualShares } from './wlr.js';
import type { PolicyContext, PolicyDecision, BuiltinPolicyDefinition } from './types.js';

// The joint decision; `rounds` ≥ 1 caps the selection/allocation alternations. `allocatedPrices`: later rounds
// price each device at its allocated share (the literal alternation) instead of an equal split among the devices used.
export function jointSelection(ctx: PolicyContext, theta: number, rounds: number, allocatedPrices = false): PolicyDecision & { rounds: number } {
  const candidates = topKCandidates(ctx);
  let keep = wlrFromEqualShares(ctx, candidates, theta);
  let decision = decisionFromMask(ctx, candidates, keep);
  const allocate = () => allocateBandwidth(ctx, workOfSlots(decision.experts, decision.slotDevice, decision.k, ctx.devices.length));
  let shares = allocatedPrices ? allocate() : null;
  let round = 1;
  for (; round < rounds; round++) {
    let next: Uint8Array;
    if (allocatedPrices) {
      if (shares === null) break;
      // The literal alternation: price at the allocated shares (a device given nothing at ∞), re-select, re-allocate.
      const current = shares;
      next = selectByWlr(ctx, candidates, deviceLatencies(ctx, candidates, keep, (d) => current[d]!, (d) => current[d]!), theta);
    } else {
      // Price each device at an equal split among the devices the current selection uses (their loads as they are
      // now) and re-select; an expert once dropped stays dropped, so the rounds only ever drop and always settle.
      const work = workOfSlots(decision.experts, decision.slotDevice, decision.k, ctx.devices.length);
      const active = Math.max(1, work.filter((w) => w.rows > 0).length);
      next = selectByWlr(ctx, candidates, deviceLatencies(ctx, candidates, keep, () => 1 / active, () => 1 / (active + 1)), theta);
      next.forEach((kept, slot) => (next[slot] = kept & keep[slot]!));
    }
    if (next.every((kept, slot) => kept === keep[slot])) break;
    keep = next;
    decision = decisionFromMask(ctx, candidates, keep, null, shares === null ? undefined : (d) => shares![d]! || 1 / ctx.devices.length);
    if (allocatedPrices) shares = allocate();
  }
  decision.bandwidthShare = allocatedPrices ? shares : allocate();
  return Object.assign(decision, { rounds: round });
}

export const wdmoePolicy: BuiltinPolicyDefinition = {
  name: 'wdmoe',
  description: 'joint WLR expert selection (θ) and latency-equalising bandwidth allocation, alternated',
  params: {
    theta: THETA_PARAM,
    rounds: { type: 'integer', default: 5, min: 1, max: 50, description: 'most selection/allocation alternations per layer' },
    allocated_prices: { type: 'boolean', default: false, description: 'later rounds price devices at their allocated shares (literal alternation) instead of an equal split among the devices in use' },
  },
  create: (params) => {
    const theta = params['theta'] as number;
    const rounds = params['rounds'] as number;
    const allocatedPrices = params['allocated_prices'] as boolean;
    return (ctx) => {
      const { rounds: _rounds, ...decision } = jointSelection(ctx, theta, rounds, allocatedPrices);
      return decision;
    };
  },
};
