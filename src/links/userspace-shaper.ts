// The in-process shaper (no root): each transmit books the message on a LinkSchedule and resolves at
// its modelled arrival. Callers hold the bytes until then: transport/client.ts writes a RUN only after
// its downlink transmit resolved and hands a RESULT on only after its uplink transmit resolved.
// Waits are precise to well under a millisecond: a timer to ~1 ms before, then event-loop turns.
import { LinkSchedule } from './token-bucket.js';
import type { LinkDirection, LinkShaper, ShaperOptions, TransmitTiming } from './types.js';

const SPIN_MS = 1.5;

// Resolves at `targetMs` (performance.now() time) or rejects when `signal` aborts.
export function waitUntil(targetMs: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (performance.now() >= targetMs) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      clearImmediate(immediate);
      reject(signal!.reason);
    };
    const check = () => {
      const left = targetMs - performance.now();
      if (left <= 0) {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      } else if (left > SPIN_MS) {
        timer = setTimeout(check, left - SPIN_MS);
      } else {
        immediate = setImmediate(check);
      }
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    check();
  });
}

// A FIFO link direction shaped in userspace.
export class UserspaceShaper implements LinkShaper {
  readonly spec: LinkDirection;
  readonly #schedule: LinkSchedule;

  constructor(spec: LinkDirection, seed: number, options: ShaperOptions = {}) {
    this.spec = spec;
    this.#schedule = new LinkSchedule(spec, seed, options.jitter);
  }

  // An aborted transmit keeps its booking: the bytes were already (partly) on the link.
  async transmit(payloadBytes: number, signal?: AbortSignal): Promise<TransmitTiming> {
    signal?.throwIfAborted();
    const timing = this.#schedule.schedule(payloadBytes, performance.now());
    await waitUntil(timing.endMs, signal);
    return timing;
  }
}

// The shaper for links shaped elsewhere (tc) or not at all: every message arrives at once.
export class UnshapedLink implements LinkShaper {
  readonly spec: LinkDirection;
  readonly isPassThrough = true;

  constructor(spec: LinkDirection) {
    this.spec = spec;
  }

  transmit(_payloadBytes: number, signal?: AbortSignal): Promise<TransmitTiming> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const now = performance.now();
    return Promise.resolve({ startMs: now, endMs: now });
  }
}
