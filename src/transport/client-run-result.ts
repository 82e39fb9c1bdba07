// What the BS does with a RESULT on arrival, on either RUN path: check it answers the RUN it was
// matched to (type and shape), and build the once-only hand-back of a pooled output buffer
// (RunReply.release). Used by client.ts (shaped RUN) and client-unshaped-run.ts. No sockets or timers.
import type { DeviceError } from './errors.js';
import type { Frame } from './frame-types.js';
import type { PayloadLease, PayloadPool } from './payload-pool.js';
import type { PendingRequests } from './client-requests.js';

// The DeviceError for a frame that is not the RESULT the RUN for `layer` expects, else undefined.
export function checkResult(requests: PendingRequests, frame: Frame, layer: number, rows: number, hidden: number): DeviceError | undefined {
  if (frame.type !== 'result') return requests.error('run', 'protocol', `answered RUN for layer ${layer} with ${frame.type}`);
  if (frame.rows !== rows || frame.hidden !== hidden) {
    return requests.error('run', 'protocol', `RESULT for layer ${layer} is ${frame.rows}×${frame.hidden}, expected ${rows}×${hidden}`);
  }
  return undefined;
}

// For a RESULT read into a pooled buffer: a once-only hand-back when `output` views it, else the
// buffer goes back at once (an fp16 output is a converted copy) and there is nothing to release.
export function releaserOf(pool: PayloadPool, output: Float32Array, lease: PayloadLease | undefined): (() => void) | undefined {
  if (lease === undefined) return undefined;
  if (output.buffer !== lease) {
    pool.release(lease);
    return undefined;
  }
  let isReleased = false;
  return () => {
    if (isReleased) return;
    isReleased = true;
    pool.release(lease);
  };
}
