// What a policy sees and returns, per MoE layer and batch of tokens (DESIGN.md "Channel and policies").
// Pure data: the same policies run in bench (real devices) and sim (analytic model).
// Must not import transport, bs or links runtime code.

// One direction of a device's link as the policy estimates it.
export interface LinkEstimate {
  rateBitsPerSec: number | null; // null = unlimited
  delayMs: number;
}

// A device as the policy sees it: its links and its compute model.
export interface DeviceEstimate {
  name: string;
  downlink: LinkEstimate;
  uplink: LinkEstimate;
  // Expert compute time for `rows` token rows on this device: fixedMs + perRowMs · rows (per expert run).
  compute: { fixedMs: number; perRowMs: number };
}

export interface PolicyContext {
  layer: number;
  tokens: number; // n
  numExperts: number; // E
  topK: number; // the model's k
  normalizeTopK: boolean; // Mixtral renormalises the kept weights
  gateProbs: Float32Array; // n×E, softmax over all experts
  hiddenSize: number;
  bytesPerValue: number; // 4 for fp32 payloads
  devices: readonly DeviceEstimate[];
  // For each expert index of this layer, the indices (into `devices`) of the devices holding it (replicas).
  expertDevices: readonly (readonly number[])[];
  // Seeded random source in [0, 1) for stochastic policies (random1); deterministic per run.
  random: () => number;
}

// Which experts each token runs, with which weights, on which device.
export interface PolicyDecision {
  k: number; // slots per token (≤ the model's top-k)
  experts: Uint16Array; // n×k, NO_EXPERT for an unused slot
  weights: Float32Array; // n×k, renormalised kept weights
  slotDevice: Int32Array; // n×k, index into ctx.devices, -1 for an unused slot
  bandwidthShare: Float64Array | null; // per device share of the BS's bandwidth (Σ ≤ 1), null = equal/fixed links
}

// A policy is a pure function of the context.
export type Policy = (ctx: PolicyContext) => PolicyDecision;
