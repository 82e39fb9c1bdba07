// `top1`: only each token's best expert, with the whole weight — the cheapest selection that still
// follows the gate. Shows what dropping the second expert costs in accuracy.
import { selectTopExperts } from './topk.js';
import type { Policy } from './types.js';

export const top1: Policy = (ctx) => selectTopExperts(ctx, 1);
