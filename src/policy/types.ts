// What a policy sees and returns, per MoE layer and batch of tokens (DESIGN.md "Channel and policies"),
// and how a policy is declared (name, parameters, create). Pure data: the same policies run in bench
// (real devices) and sim (analytic model). Must not import transport, bs or links runtime code.
// This file's types are part of the package's public API for custom policies (docs/policies.md).
import type { LinkState } from '../channel/types.js';
import type { PolicyToolkit } from './toolkit.js';

export type { LinkState } from '../channel/types.js';

// A device as the policy sees it now: both directions of its link and its compute model.
export interface DeviceEstimate {
  readonly name: string;
  readonly downlink: LinkState; // BS → device, at this moment
  readonly uplink: LinkState; // device → BS
  // Expert compute on this device: fixedMs per distinct expert run + perTokenMs per (token, expert) pair.
  readonly compute: { readonly fixedMs: number; readonly perTokenMs: number };
  // False when the device is down: a policy must not give it work.
  readonly available: boolean;
}

export interface PolicyContext {
  readonly layer: number;
  readonly tokens: number; // n
  readonly numExperts: number; // E
  readonly topK: number; // the model's k
  readonly normalizeTopK: boolean; // Mixtral renormalises the kept weights
  readonly gateProbs: Float32Array; // n×E, softmax over all experts
  readonly hiddenSize: number;
  readonly bytesPerValue: number; // 4 for fp32 payloads
  readonly devices: readonly DeviceEstimate[];
  // For each expert index of this layer, the indices (into `devices`) of the devices holding it (replicas).
  readonly expertDevices: readonly (readonly number[])[];
  // Seeded random source in [0, 1) for stochastic policies (random1); deterministic per run.
  readonly random: () => number;
}

// Which experts each token runs, with which weights, on which device, and how the BS's bandwidth is split.
export interface PolicyDecision {
  k: number; // slots per token (≤ the model's top-k)
  experts: Uint16Array; // n×k, NO_EXPERT_SLOT (0xFFFF) for an unused slot
  weights: Float32Array; // n×k, renormalised kept weights
  slotDevice: Int32Array; // n×k, index into ctx.devices, -1 for an unused slot
  // Per device share of the BS's bandwidth (Σ ≤ 1; the same share in both directions), or null for
  // equal shares among the devices that get work.
  bandwidthShare: Float64Array | null;
}

// A policy is a pure function of the context.
export type Policy = (ctx: PolicyContext) => PolicyDecision;

// A parameter a policy accepts (`--policy name:key=value`), declared as plain data so user modules
// need no schema library.
export interface PolicyParamSpec {
  readonly type: 'number' | 'integer' | 'boolean';
  readonly default: number | boolean;
  readonly min?: number;
  readonly max?: number;
  readonly description: string;
}

export type PolicyParams = Readonly<Record<string, number | boolean>>;

// How a policy is registered: built-in ones in registry.ts, custom ones as the default export of a .mjs file.
export interface PolicyDefinition {
  readonly name: string;
  readonly description: string;
  readonly params: Readonly<Record<string, PolicyParamSpec>>;
  // Called once per run with every parameter resolved (defaults filled in), and the building blocks the
  // built-in policies use (toolkit.ts; the same as the `wdmoe/policy` exports), so a module needs no import.
  create(params: PolicyParams, toolkit: PolicyToolkit): Policy;
}

// A built-in policy: its create needs no toolkit (it imports what it uses), so it can be called with the
// parameters alone; it still fits PolicyDefinition.
export interface BuiltinPolicyDefinition extends Omit<PolicyDefinition, 'create'> {
  create(params: PolicyParams): Policy;
}
