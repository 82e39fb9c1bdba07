// The in-process shaper (no root): each transmit books the message on a LinkSchedule and resolves at
// its modelled arrival. Callers hold the bytes until then: transport/client.ts writes a RUN only after
// its downlink transmit resolved and hands a RESULT on only after its uplink transmit resolved.
// Waits are precise to well under a millisecond: a timer to ~1 ms before, then event-loop turns.
import { LinkSchedule } from './token-bucket.js';
import { LinkError } from './errors.js';
import type { LinkDirection, LinkShaper, ShaperOptions, TransferOptions, TransmitTiming } from './types.js';

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
  async transmit(payloadBytes: number, options: TransferOptions = {}): Promise<TransmitTiming> {
    options.signal?.throwIfAborted();
    const rate = options.rateBitsPerSec;
    if (rate !== undefined && rate !== null && !(rate > 0 && Number.isFinite(rate))) {
      throw new LinkError('link-no-rate', `a transfer of ${payloadBytes} bytes was given rate ${rate} bit/s: it would never arrive`, 'the policy gave this device no bandwidth share but sent it work; check the policy\'s bandwidthShare');
    }
    const timing = this.#schedule.schedule(payloadBytes, performance.now(), options);
    await waitUntil(timing.endMs, options.signal);
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

  transmit(_payloadBytes: number, options: TransferOptions = {}): Promise<TransmitTiming> {
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    const now = performance.now();
    return Promise.resolve({ startMs: now, endMs: now, rateBitsPerSec: null });
  }
}
