// `random1`: one expert drawn uniformly from each token's top-k, with the whole weight — the floor that
// shows the gate's ranking matters. Draws from the run's seeded random source, so runs repeat.
import { availableMask, decisionFromMask, topKCandidates } from './selection.js';
import type { BuiltinPolicyDefinition } from './types.js';

export const random1Policy: BuiltinPolicyDefinition = {
  name: 'random1',
  description: 'one expert drawn uniformly from the top-k (seeded by --seed), equal bandwidth',
  params: {},
  create: () => (ctx) => {
    const candidates = topKCandidates(ctx);
    const available = availableMask(ctx, candidates);
    const keep = new Uint8Array(available.length);
    for (let token = 0; token < ctx.tokens; token++) {
      const choices: number[] = [];
      for (let j = 0; j < candidates.k; j++) if (available[token * candidates.k + j]) choices.push(j);
      const draw = ctx.random(); // one draw per token, whether or not some candidates are down
      if (choices.length > 0) keep[token * candidates.k + choices[Math.min(choices.length - 1, Math.floor(draw * choices.length))]!] = 1;
    }
    return decisionFromMask(ctx, candidates, keep);
  },
};
