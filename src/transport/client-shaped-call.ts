// The request path with a timer of its own: PING, STATS and shaped RUNs, whose work awaits link
// shapers and so needs a signal to cancel. Each call races its work against its deadline and the
// caller's signal, and leaves no timer, listener or pending id behind when it settles. Called by
// client.ts only; the unshaped RUN fast path is client-unshaped-run.ts. No sockets here.
import type { DeviceError } from './errors.js';
import type { Frame } from './frame-types.js';
import type { PayloadLease } from './payload-pool.js';
import type { FrameArrival } from './client-wire-timing.js';
import { kindPhase, type PendingKind, type PendingRequests, type RequestOptions } from './client-requests.js';

// What a pending request of a call resolves with.
export interface Answer {
  frame: Frame;
  wireBytes: number;
  lease: PayloadLease | undefined;
  arrival: FrameArrival; // when its bytes came (a copy)
}

// What `work` gets: a signal that aborts when the call ends early, and a way to await an answer by id.
export interface Call {
  signal: AbortSignal;
  expect(id: number, pending: { kind: PendingKind; layer: number }): Promise<Answer>;
}

// Runs `work` under its deadline and the caller's signal. When either fires, the call's pending
// answers are rejected and its AbortController (made only when shaping needs a signal) is aborted,
// so whatever `work` awaits rejects at once; `finally` clears the timer, listener and pending ids.
// A plain timer instead of AbortSignal.timeout + AbortSignal.any: this is the hot path (the
// EventTarget machinery doubled a loopback round trip), and AbortSignal.any on a long-lived caller
// signal accumulates dependants on Node 20.
export async function callShaped<T>(requests: PendingRequests, kind: PendingKind, what: string, options: RequestOptions,
  work: (call: Call) => Promise<T>): Promise<T> {
  if (requests.closedBecause !== undefined) throw requests.closedBecause;
  const phase = kindPhase(kind);
  const ids: number[] = [];
  let controller: AbortController | undefined;
  let failure: DeviceError | undefined;
  const stop = (error: DeviceError) => {
    failure ??= error;
    controller?.abort(failure);
    for (const id of ids) {
      const pending = requests.byId.get(id);
      requests.byId.delete(id);
      pending?.reject(failure);
    }
  };
  const timer = setTimeout(() => stop(requests.error(phase, 'timeout', `no ${what} within ${options.deadlineMs} ms`)), options.deadlineMs);
  const onAbort = () => stop(requests.error(phase, 'aborted', `${what} abandoned: ${String(options.signal?.reason)}`, options.signal?.reason));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const call: Call = {
    get signal() {
      if (controller === undefined) {
        controller = new AbortController();
        if (failure !== undefined) controller.abort(failure);
      }
      return controller.signal;
    },
    expect: (id, pending) => {
      ids.push(id);
      if (failure !== undefined) {
        const rejected = Promise.reject(failure);
        rejected.catch(() => undefined); // `work` may throw (its shaper aborted) before awaiting it
        return rejected;
      }
      const answer = new Promise<Answer>((resolve, reject) =>
        requests.byId.set(id, { ...pending, deadlineAtMs: Infinity, deadlineMs: options.deadlineMs,
          resolve: (frame, wireBytes, lease, arrival) => resolve({ frame, wireBytes, lease, arrival: { ...arrival } }), reject }));
      answer.catch(() => undefined); // may reject before `work` awaits it (e.g. lost during shaping)
      return answer;
    },
  };
  try {
    if (options.signal?.aborted) onAbort();
    const result = await work(call);
    if (failure !== undefined) throw failure;
    return result;
  } catch (error) {
    throw failure ?? error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    for (const id of ids) requests.byId.delete(id);
  }
}
