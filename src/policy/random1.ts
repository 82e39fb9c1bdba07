// `random1`: one expert drawn uniformly from each token's top-k, with the whole weight — the floor that
// shows the gate's ranking matters. Draws from the run's seeded random source, so runs repeat.
import { assignReplicas } from './replicas.js';
import { topKOfRow } from './gate.js';
import type { Policy } from './types.js';

export const random1: Policy = (ctx) => {
  const experts = new Uint16Array(ctx.tokens);
  for (let token = 0; token < ctx.tokens; token++) {
    const candidates = topKOfRow(ctx.gateProbs, token, ctx.numExperts, ctx.topK);
    experts[token] = candidates[Math.min(candidates.length - 1, Math.floor(ctx.random() * candidates.length))]!;
  }
  return { k: 1, experts, weights: new Float32Array(ctx.tokens).fill(1), slotDevice: assignReplicas(ctx, experts, 1), bandwidthShare: null };
};
