// `topk`: vanilla MoE. Every token runs its gate's top-k experts (renormalised as the model does), on the
// replica with the lowest estimated latency; the BS's bandwidth is split equally among the devices used.
import { decisionFromMask, keepFirst, topKCandidates } from './selection.js';
import type { PolicyContext, PolicyDecision, BuiltinPolicyDefinition } from './types.js';

// Keeps the first `keep` of each token's top-k (keep = k for vanilla MoE, 1 for top1).
export function selectTopExperts(ctx: PolicyContext, keep: number): PolicyDecision {
  const candidates = topKCandidates(ctx);
  return decisionFromMask(ctx, candidates, keepFirst(ctx, candidates, Math.min(keep, ctx.topK)));
}

export const topkPolicy: BuiltinPolicyDefinition = {
  name: 'topk',
  description: 'vanilla MoE: the gate\'s top-k experts, equal bandwidth',
  params: {},
  create: () => (ctx) => selectTopExperts(ctx, ctx.topK),
};
