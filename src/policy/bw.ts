// `bw`: vanilla top-k selection with latency-equalising bandwidth allocation (bandwidth.ts): isolates
// what splitting the BS's bandwidth by channel and load is worth, without dropping any expert.
import { allocateBandwidth } from './bandwidth.js';
import { workOfSlots } from './device-work.js';
import { decisionFromMask, keepFirst, topKCandidates } from './selection.js';
import type { BuiltinPolicyDefinition } from './types.js';

export const bwPolicy: BuiltinPolicyDefinition = {
  name: 'bw',
  description: 'the gate\'s top-k experts, bandwidth split to equalise the devices\' finish times',
  params: {},
  create: () => (ctx) => {
    const candidates = topKCandidates(ctx);
    const decision = decisionFromMask(ctx, candidates, keepFirst(ctx, candidates, candidates.k));
    decision.bandwidthShare = allocateBandwidth(ctx, workOfSlots(decision.experts, decision.slotDevice, decision.k, ctx.devices.length));
    return decision;
  },
};
