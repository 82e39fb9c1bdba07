// `top1`: only each token's best expert, with the whole weight — the cheapest selection that still
// follows the gate. Shows what dropping the second expert costs in accuracy.
import { selectTopExperts } from './topk.js';
import type { BuiltinPolicyDefinition } from './types.js';

export const top1Policy: BuiltinPolicyDefinition = {
  name: 'top1',
  description: 'only the gate\'s best expert (weight 1), equal bandwidth',
  params: {},
  create: () => (ctx) => selectTopExperts(ctx, 1),
};
