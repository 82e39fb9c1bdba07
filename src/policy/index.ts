// The policy registry: one table of pure policy functions that bench and sim both look up by name.
import { topk } from './topk.js';
import type { Policy } from './types.js';

export const POLICIES = { topk } satisfies Record<string, Policy>;
export type PolicyName = keyof typeof POLICIES;

export * from './types.js';
export { softmaxRows, topKOfRow } from './gate.js';
export { transferMs, estimateDeviceMs } from './latency.js';
export { NO_EXPERT_SLOT } from './slots.js';
export { selectTopExperts } from './topk.js';
