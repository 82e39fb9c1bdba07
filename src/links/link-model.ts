// The userspace link model in closed form (docs/links.md): serialization at the rate, propagation
// delay, zero-mean jitter, and a TCP-retransmission penalty per lost segment. Pure functions, no
// timers; userspace-shaper.ts schedules with them and bs/perf compare measurements against them.
import type { LinkDirection } from './types.js';

// TCP payload per segment on a 1500-byte-MTU path with timestamps (1500 − 20 IP − 32 TCP).
export const SEGMENT_BYTES = 1448;
// Linux's minimum retransmission timeout.
export const MIN_RTO_MS = 200;

// Time the link is busy putting `payloadBytes` on the wire; 0 when not rate-limited.
export function serializationMs(spec: LinkDirection, payloadBytes: number): number {
  return spec.rateBitsPerSec === null ? 0 : (payloadBytes * 8 * 1000) / spec.rateBitsPerSec;
}

// Segments a message of `payloadBytes` occupies (at least one).
export function segmentCount(payloadBytes: number): number {
  return Math.max(1, Math.ceil(payloadBytes / SEGMENT_BYTES));
}

// Stall one lost segment costs: an RTO-like max(200 ms, 2 × one-way delay) (≈ max(minRTO, RTT)).
export function lossPenaltyMs(spec: LinkDirection): number {
  return Math.max(MIN_RTO_MS, 2 * spec.delayMs);
}

// Model's mean transfer time of one message on an idle link:
// bytes×8/rate + delay + E[loss penalty] (jitter is zero-mean, so it adds nothing on average).
export function expectedTransferMs(spec: LinkDirection, payloadBytes: number): number {
  const expectedLosses = spec.lossRate > 0 ? segmentCount(payloadBytes) * spec.lossRate : 0;
  return serializationMs(spec, payloadBytes) + spec.delayMs + expectedLosses * lossPenaltyMs(spec);
}
