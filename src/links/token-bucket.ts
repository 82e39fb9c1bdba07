// The state of one shaped link direction as a FIFO bucket: when each message starts, stops occupying
// the link and arrives. Pure bookkeeping over times passed in (no timers), so it is tested
// deterministically; userspace-shaper.ts turns its answers into waits. Model: docs/links.md.
import { lossPenaltyMs, segmentCount, serializationMs } from './link-model.js';
import { SeededRandom } from './random.js';
import type { JitterDistribution, LinkDirection, TransmitTiming } from './types.js';

// FIFO link schedule: start = max(now, busyUntil); busyUntil = start + bytes·8/rate;
// arrival = max(previous arrival, busyUntil + max(0, delay + jitter) + loss penalties).
export class LinkSchedule {
  readonly spec: LinkDirection;
  readonly #random: SeededRandom;
  readonly #jitter: JitterDistribution;
  #busyUntilMs = -Infinity;
  #lastArrivalMs = -Infinity;

  constructor(spec: LinkDirection, seed: number, jitter: JitterDistribution = 'normal') {
    this.spec = spec;
    this.#random = new SeededRandom(seed);
    this.#jitter = jitter;
  }

  // Books a message of `payloadBytes` offered at `nowMs` at the rate and delay in force (`inForce`, default
  // the spec's: a time-varying link passes each transfer's own); returns when it starts and arrives.
  schedule(payloadBytes: number, nowMs: number, inForce: { rateBitsPerSec?: number | null; delayMs?: number } = {}): TransmitTiming {
    const rateBitsPerSec = inForce.rateBitsPerSec === undefined ? this.spec.rateBitsPerSec : inForce.rateBitsPerSec;
    const link = { ...this.spec, rateBitsPerSec, delayMs: inForce.delayMs ?? this.spec.delayMs };
    const startMs = Math.max(nowMs, this.#busyUntilMs);
    this.#busyUntilMs = startMs + serializationMs(link, payloadBytes);
    const latencyMs = Math.max(0, link.delayMs + this.#drawJitterMs());
    const arrivalMs = Math.max(this.#lastArrivalMs, this.#busyUntilMs + latencyMs + this.#drawLossPenaltyMs(link, payloadBytes));
    this.#lastArrivalMs = arrivalMs;
    return { startMs, endMs: arrivalMs, rateBitsPerSec };
  }

  // Zero-mean jitter: normal with σ = jitterMs, or uniform in [−jitterMs, +jitterMs].
  #drawJitterMs(): number {
    const { jitterMs } = this.spec;
    if (jitterMs <= 0) return 0;
    return this.#jitter === 'uniform' ? (2 * this.#random.next() - 1) * jitterMs : this.#random.normal() * jitterMs;
  }

  // Each segment is lost with probability lossRate and then costs one RTO-like stall.
  #drawLossPenaltyMs(link: LinkDirection, payloadBytes: number): number {
    const { lossRate } = link;
    if (lossRate <= 0) return 0;
    let losses = 0;
    for (let i = segmentCount(payloadBytes); i > 0; i--) if (this.#random.next() < lossRate) losses++;
    return losses * lossPenaltyMs(link);
  }
}
