// The built-in policies by name: one table that bench and sim both look up (STYLE.md "registry").
// Each entry declares its parameters; resolve.ts turns a --policy spec into a ready Policy.
import { bwPolicy } from './bw.js';
import { random1Policy } from './random1.js';
import { top1Policy } from './top1.js';
import { topkPolicy } from './topk.js';
import type { BuiltinPolicyDefinition, PolicyDefinition } from './types.js';
import { wdmoePolicy } from './wdmoe.js';
import { wlrPolicy } from './wlr.js';

export const POLICIES = {
  topk: topkPolicy,
  top1: top1Policy,
  random1: random1Policy,
  wlr: wlrPolicy,
  bw: bwPolicy,
  wdmoe: wdmoePolicy,
} as const satisfies Record<string, BuiltinPolicyDefinition & PolicyDefinition>;

export type PolicyName = keyof typeof POLICIES;

// The built-in names, in table order.
export const POLICY_NAMES = Object.keys(POLICIES) as PolicyName[];
