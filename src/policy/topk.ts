// `topk`: vanilla MoE. Every token runs its gate's top-k experts with renormalised weights,
// on the replica with the lowest estimated latency given the rows already assigned in this batch.
import { NO_EXPERT_SLOT } from './slots.js';
import { topKOfRow } from './gate.js';
import { assignReplicas } from './replicas.js';
import type { Policy, PolicyContext, PolicyDecision } from './types.js';

// Keeps the first `keep` of each token's top-k (keep = k for vanilla MoE, 1 for top1).
export function selectTopExperts(ctx: PolicyContext, keep: number): PolicyDecision {
  const { tokens, numExperts, gateProbs } = ctx;
  const k = Math.min(keep, ctx.topK);
  const experts = new Uint16Array(tokens * k).fill(NO_EXPERT_SLOT);
  const weights = new Float32Array(tokens * k);
  for (let token = 0; token < tokens; token++) {
    const chosen = topKOfRow(gateProbs, token, numExperts, ctx.topK).slice(0, k);
    let sum = 0;
    for (const expert of chosen) sum += gateProbs[token * numExperts + expert]!;
    chosen.forEach((expert, j) => {
      experts[token * k + j] = expert;
      const weight = gateProbs[token * numExperts + expert]!;
      // Kept weights are renormalised when the model does (Mixtral) and whenever experts were dropped, so a
      // token's weights always sum to 1 with fewer experts (top1 and random1 alike give their expert weight 1).
      weights[token * k + j] = ctx.normalizeTopK || k < ctx.topK ? weight / sum : weight;
    });
  }
  return { k, experts, weights, slotDevice: assignReplicas(ctx, experts, k), bandwidthShare: null };
}

// Vanilla top-k MoE with equal bandwidth.
export const topk: Policy = (ctx) => selectTopExperts(ctx, ctx.topK);
