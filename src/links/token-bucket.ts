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

  // Books a message of `payloadBytes` offered at `nowMs`; returns when it starts and arrives.
  schedule(payloadBytes: number, nowMs: number): TransmitTiming {
    const startMs = Math.max(nowMs, this.#busyUntilMs);
    this.#busyUntilMs = startMs + serializationMs(this.spec, payloadBytes);
    const latencyMs = Math.max(0, this.spec.delayMs + this.#drawJitterMs());
    const arrivalMs = Math.max(this.#lastArrivalMs, this.#busyUntilMs + latencyMs + this.#drawLossPenaltyMs(payloadBytes));
    this.#lastArrivalMs = arrivalMs;
    return { startMs, endMs: arrivalMs };
  }

  // Zero-mean jitter: normal with σ = jitterMs, or uniform in [−jitterMs, +jitterMs].
  #drawJitterMs(): number {
    const { jitterMs } = this.spec;
    if (jitterMs <= 0) return 0;
    return this.#jitter === 'uniform' ? (2 * this.#random.next() - 1) * jitterMs : this.#random.normal() * jitterMs;
  }

  // Each segment is lost with probability lossRate and then costs one RTO-like stall.
  #drawLossPenaltyMs(payloadBytes: number): number {
    const { lossRate } = this.spec;
    if (lossRate <= 0) return 0;
    let losses = 0;
    for (let i = segmentCount(payloadBytes); i > 0; i--) if (this.#random.next() < lossRate) losses++;
    return losses * lossPenaltyMs(this.spec);
  }
}
