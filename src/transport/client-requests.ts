// The request table one DeviceClient shares with its request paths (client-shaped-call.ts,
// client-unshaped-run.ts, client-deadlines.ts): pending answers by request id, the id counter, why
// the connection closed, and DeviceError construction naming the device. No sockets or timers here.
// Internal to transport/ (index.ts re-exports only RequestOptions, through client.ts).
import { DeviceError } from './errors.js';
import type { Frame } from './frame-types.js';
import type { PayloadLease } from './payload-pool.js';
import type { FrameArrival } from './client-wire-timing.js';

// Per-request options: every request has a deadline, and may be abandoned through `signal`.
export interface RequestOptions {
  deadlineMs: number;
  signal?: AbortSignal;
}

export type PendingKind = 'run' | 'ping' | 'stats';

// One request waiting for its answer.
export interface Pending {
  kind: PendingKind;
  layer: number;
  // performance.now() past which the shared deadline timer rejects it (with `deadlineMs` in the message);
  // Infinity for requests under callShaped, which keeps its own timer.
  deadlineAtMs: number;
  deadlineMs: number;
  // `arrival` is the client's one record of when this frame's bytes came: read it before returning.
  resolve: (frame: Frame, wireBytes: number, lease: PayloadLease | undefined, arrival: Readonly<FrameArrival>) => void;
  reject: (error: DeviceError) => void;
}

// Pending requests by id, and what every request path needs to know about the connection.
export class PendingRequests {
  readonly byId = new Map<number, Pending>();
  // Set once, when the connection fails or is closed; later requests reject with it.
  closedBecause: DeviceError | undefined;
  readonly #device: string;
  #nextId = 1;

  constructor(device: string) {
    this.#device = device;
  }

  // The next free request id (wraps at u32, skipping ids still pending).
  takeId(): number {
    do {
      const id = this.#nextId;
      this.#nextId = id >= 0xffff_ffff ? 1 : id + 1;
      if (!this.byId.has(id)) return id;
    } while (true);
  }

  // A DeviceError naming this client's device.
  error(phase: DeviceError['phase'], failure: DeviceError['failure'], detail: string, cause?: unknown, agentCode?: string): DeviceError {
    return new DeviceError({ device: this.#device, phase, failure, detail, cause, agentCode });
  }
}

// The DeviceError phase a request kind fails in.
export function kindPhase(kind: PendingKind): DeviceError['phase'] {
  return kind === 'run' ? 'run' : kind === 'ping' ? 'ping' : 'stats';
}
