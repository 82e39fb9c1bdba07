// The policy registry: one table of pure policy functions that bench and sim both look up by name.
import { random1 } from './random1.js';
import { top1 } from './top1.js';
import { topk } from './topk.js';
import type { Policy } from './types.js';

// topk: vanilla MoE (the model's top-k); top1: best expert only; random1: one random expert of the top-k.
export const POLICIES = { topk, top1, random1 } satisfies Record<string, Policy>;
export type PolicyName = keyof typeof POLICIES;

export * from './types.js';
export { softmaxRows, topKOfRow } from './gate.js';
export { transferMs, estimateDeviceMs } from './latency.js';
export { NO_EXPERT_SLOT } from './slots.js';
export { selectTopExperts } from './topk.js';
