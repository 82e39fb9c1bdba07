// The types the links piece shares with transport and bs: one direction of a device's link and the
// shaper that makes it real. LinkDirection matches testbed's (structurally identical, declared here
// so links stays a leaf that the agent-free transport can import). Types only.

// One direction of a device's link. rateBitsPerSec null = not rate-limited.
export interface LinkDirection {
  readonly rateBitsPerSec: number | null;
  readonly delayMs: number;
  readonly jitterMs: number;
  readonly lossRate: number;
}

// When a message occupied the link: first bit on the wire, last byte arrived (performance.now() ms),
// and the rate it was sent at (null = not rate-limited).
export interface TransmitTiming {
  startMs: number;
  endMs: number;
  rateBitsPerSec: number | null;
}

// What is in force for one transfer, when it differs from the shaper's spec: the rate the channel and the
// policy's bandwidth share give this transfer, and the delay at this moment (a trace may change it).
export interface TransferOptions {
  rateBitsPerSec?: number | null; // default: spec.rateBitsPerSec; 0 is refused (the link would never deliver)
  delayMs?: number; // default: spec.delayMs
  signal?: AbortSignal;
}

// One per device and direction; FIFO like a real link.
export interface LinkShaper {
  // Resolves when the last byte of a `payloadBytes` message has "arrived" at the other end, sent at the
  // rate and delay in force for this transfer (options), else the spec's.
  transmit(payloadBytes: number, options?: TransferOptions): Promise<TransmitTiming>;
  readonly spec: LinkDirection;
  // True when transmit always resolves at once (shaping 'none', or tc shaping in the kernel): the
  // transport then skips the shaper entirely and takes its unshaped fast path.
  readonly isPassThrough?: boolean;
}

// How jitter is drawn (docs/links.md "Jitter").
export type JitterDistribution = 'normal' | 'uniform';

export interface ShaperOptions {
  jitter?: JitterDistribution; // default 'normal'
}

export type ShaperName = 'none' | 'userspace';
export type ShaperFactory = (spec: LinkDirection, seed: number, options?: ShaperOptions) => LinkShaper;
