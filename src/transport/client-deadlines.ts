// The shared deadline timer of one DeviceClient's unshaped RUNs: one setTimeout per client, armed for
// the earliest pending deadline, rejects whatever is past due when it fires and re-arms for the next.
// Requests sent later with later deadlines cost no timer call at all (the hot path). Shaped requests
// keep their own timer in client-shaped-call.ts and carry deadlineAtMs = Infinity, so this skips them.
// Owned by client.ts; used by client-unshaped-run.ts. No sockets here.
import type { PendingRequests } from './client-requests.js';

// The one deadline timer of a client's request table.
export class SharedDeadline {
  readonly #requests: PendingRequests;
  #timer: NodeJS.Timeout | undefined;
  #armedAtMs = Infinity; // when #timer fires; Infinity when none is armed
  readonly #onTimerBound = () => this.#onTimer();

  constructor(requests: PendingRequests) {
    this.#requests = requests;
  }

  // Makes sure the timer fires by `atMs`: it is re-armed only for an earlier deadline than the one
  // it waits for, so a stream of requests with the same budget arms it once per budget.
  arm(atMs: number, nowMs: number): void {
    if (atMs >= this.#armedAtMs) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedAtMs = atMs;
    this.#timer = setTimeout(this.#onTimerBound, Math.max(1, Math.ceil(atMs - nowMs)));
  }

  // Turns the timer off (the client failed or closed; nothing is left to time out).
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAtMs = Infinity;
  }

  // Rejects every request past its deadline and re-arms for the earliest one left (none: stays off).
  #onTimer(): void {
    this.#timer = undefined;
    this.#armedAtMs = Infinity;
    const nowMs = performance.now();
    let nextMs = Infinity;
    for (const pending of this.#requests.byId.values()) {
      if (pending.deadlineAtMs <= nowMs) {
        pending.reject(this.#requests.error('run', 'timeout', `no RESULT for layer ${pending.layer} within ${pending.deadlineMs} ms`));
      } else if (pending.deadlineAtMs < nextMs) {
        nextMs = pending.deadlineAtMs;
      }
    }
    if (nextMs !== Infinity) this.arm(nextMs, nowMs);
  }
}
