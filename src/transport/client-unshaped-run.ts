// The hot path: a RUN with nothing to shape (no shaper, or pass-through ones) is one Promise and one
// pending entry, no async function and no timer of its own. The shared deadline timer
// (client-deadlines.ts) rejects it when overdue; the RESULT's frame callback builds the reply and
// settles it directly. Same checks and error messages as the shaped path in client.ts. Called by
// client.ts only. No sockets here: the client hands in how to write the RUN. Links shaped outside this
// process (tc) are timed from the RESULT's bytes (client-wire-timing.ts).
import type { DeviceError } from './errors.js';
import type { ResultFrame } from './frame-types.js';
import type { PayloadPool } from './payload-pool.js';
import type { RunReply, RunRequest } from './types.js';
import type { PendingRequests, RequestOptions } from './client-requests.js';
import type { SharedDeadline } from './client-deadlines.js';
import { checkResult, releaserOf } from './client-run-result.js';
import { measureWireTimes, type UplinkRate } from './client-wire-timing.js';

// What the fast path needs from its DeviceClient (built once per client).
export interface UnshapedRunContext {
  requests: PendingRequests;
  deadlines: SharedDeadline;
  pool: PayloadPool;
  // Writes the RUN frame for request `id`; returns its bytes on the wire. Throws once the client is closed.
  writeRun(id: number, request: RunRequest, deadlineMs: number): number;
  // The links are shaped outside this process (tc): time them from the RESULT's bytes.
  isTimedOnWire: boolean;
  uplinkRate: UplinkRate; // what this connection's RESULTs showed
}

// Sends one RUN on the fast path; settles from the RESULT's frame callback, the shared deadline
// timer, the caller's signal or the connection failing.
export function runUnshaped(context: UnshapedRunContext, request: RunRequest, options: RequestOptions, sendStartMs: number): Promise<RunReply> {
  const { requests, pool } = context;
  if (requests.closedBecause !== undefined) return Promise.reject(requests.closedBecause);
  const { layer, rows, hidden } = request;
  const { signal, deadlineMs } = options;
  if (signal?.aborted) return Promise.reject(abortError(requests, layer, signal));
  return new Promise<RunReply>((resolve, reject) => {
    const id = requests.takeId();
    let downlinkDoneMs = 0;
    let downlinkBytes = 0;
    const settle = () => {
      signal?.removeEventListener('abort', onAbort);
      requests.byId.delete(id);
    };
    const fail = (error: unknown) => {
      settle();
      reject(error);
    };
    const onAbort = () => fail(abortError(requests, layer, signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    const deadlineAtMs = sendStartMs + deadlineMs;
    requests.byId.set(id, {
      kind: 'run',
      layer,
      deadlineAtMs,
      deadlineMs,
      reject: fail,
      resolve: (frame, wireBytes, lease, arrival) => {
        let resultReceivedMs = performance.now();
        settle();
        const failure = checkResult(requests, frame, layer, rows, hidden);
        if (failure !== undefined) {
          if (lease !== undefined) pool.release(lease);
          return reject(failure);
        }
        const result = frame as ResultFrame;
        const deliveredMs = resultReceivedMs;
        if (context.isTimedOnWire) {
          const wire = measureWireTimes(downlinkDoneMs, arrival, wireBytes, result.computeMicros / 1000, context.uplinkRate);
          downlinkDoneMs += wire.downlinkMs;
          resultReceivedMs = deliveredMs - wire.uplinkMs;
        }
        const reply: RunReply = {
          output: result.output,
          timing: { sendStartMs, downlinkDoneMs, resultReceivedMs, deliveredMs,
            deviceComputeMs: result.computeMicros / 1000, downlinkBytes, uplinkBytes: wireBytes,
            downlinkRateBitsPerSec: null, uplinkRateBitsPerSec: null },
        };
        if (lease !== undefined) {
          const release = releaserOf(pool, result.output, lease);
          if (release !== undefined) reply.release = release;
        }
        resolve(reply);
      },
    });
    context.deadlines.arm(deadlineAtMs, sendStartMs);
    try {
      downlinkDoneMs = performance.now();
      downlinkBytes = context.writeRun(id, request, deadlineMs);
    } catch (error) {
      fail(error);
    }
  });
}

function abortError(requests: PendingRequests, layer: number, signal: AbortSignal): DeviceError {
  return requests.error('run', 'aborted', `RESULT for layer ${layer} abandoned: ${String(signal.reason)}`, signal.reason);
}
