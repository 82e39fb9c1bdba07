// The BS side of one device connection: TCP (TCP_NODELAY), the mutual handshake, then pipelined
// requests matched by id. Every request has a deadline; a dead, closed or silent device rejects each
// pending request with a DeviceError naming the device and layer, never a hang. Userspace shaping:
// a RUN is written only once its downlink transmit resolved; a RESULT is handed on only once its
// uplink transmit resolved. Called by bs/ (through pool.ts) and perf/. The codec is frame.ts.
// Hot path: an unshaped RUN (no shaper, or pass-through ones) is one Promise and one pending entry, no
// async function and no timer of its own: one deadline timer per client, armed for the earliest
// pending deadline, rejects whatever is past due when it fires (requests sent later with later
// deadlines cost no timer call at all). The RESULT's frame callback builds the reply and settles it
// directly. A large RESULT is read into a pooled buffer that RunReply.release hands back.
import { connect as connectTcp, type Socket } from 'node:net';
import type { LinkShaper } from '../links/index.js';
import { DeviceError } from './errors.js';
import { HEADER_BYTES, resolveFrameLimits, type FrameLimits } from './frame-header.js';
import { encodeFrame, runFrameBytes, type AgentStats, type Frame, type ResultFrame } from './frame.js';
import { FrameReader } from './frame-reader.js';
import { FrameWriter } from './frame-writer.js';
import { PayloadPool, type PayloadLease } from './payload-pool.js';
import { performHandshake } from './client-handshake.js';
import type { WireDtype } from './dtype.js';
import type { DeviceInfo, RunReply, RunRequest } from './types.js';

export interface DeviceClientOptions {
  device: string;
  host: string;
  port: number;
  token: string;
  downlink?: LinkShaper; // BS → device
  uplink?: LinkShaper; // device → BS
  connectTimeoutMs: number; // TCP connect + handshake
  signal?: AbortSignal;
  dtype?: WireDtype; // of states and outputs on the wire; default fp32
  limits?: Partial<FrameLimits>; // what this side accepts from the agent
}

export interface RequestOptions {
  deadlineMs: number;
  signal?: AbortSignal;
}

type PendingKind = 'run' | 'ping' | 'stats';
interface Answer {
  frame: Frame;
  wireBytes: number;
  lease: PayloadLease | undefined;
}
interface Pending {
  kind: PendingKind;
  layer: number;
  // performance.now() past which the shared deadline timer rejects it (with `deadlineMs` in the message);
  // Infinity for requests under #call, which keeps its own timer.
  deadlineAtMs: number;
  deadlineMs: number;
  resolve: (frame: Frame, wireBytes: number, lease: PayloadLease | undefined) => void;
  reject: (error: DeviceError) => void;
}
interface Call {
  signal: AbortSignal;
  expect(id: number, pending: { kind: PendingKind; layer: number }): Promise<Answer>;
}

// One authenticated connection to one agent.
export class DeviceClient {
  readonly info: DeviceInfo;
  readonly #options: DeviceClientOptions;
  readonly #socket: Socket;
  readonly #writer: FrameWriter;
  readonly #pending = new Map<number, Pending>();
  readonly #pool: PayloadPool;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #deadlineArmedAtMs = Infinity; // when #deadlineTimer fires; Infinity when none is armed
  readonly #onDeadlineTimerBound = () => this.#onDeadlineTimer();
  readonly #dtype: WireDtype;
  readonly #isShaped: boolean; // false: RUN takes the unshaped fast path
  #nextId = 1;
  #closedBecause: DeviceError | undefined;

  private constructor(options: DeviceClientOptions, socket: Socket, reader: FrameReader, pool: PayloadPool, info: DeviceInfo) {
    this.#options = options;
    this.#pool = pool;
    this.#socket = socket;
    this.#writer = new FrameWriter(socket);
    this.#dtype = options.dtype ?? 'fp32';
    this.#isShaped = isShaping(options.downlink) || isShaping(options.uplink);
    this.info = info;
    const onFrame = (frame: Frame, wireBytes: number, lease: PayloadLease | undefined) => this.#onFrame(frame, wireBytes, lease);
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.read(chunk, onFrame);
      } catch (error) {
        this.#fail(new DeviceError({ device: options.device, phase: 'run', failure: 'protocol', detail: `sent a bad frame: ${(error as Error).message}`, cause: error }));
      }
    });
    socket.on('error', (error) => this.#fail(this.#lostError(error)));
    socket.on('close', () => this.#fail(this.#lostError()));
  }

  // Connects, authenticates both ways and reads the agent's WELCOME, all within connectTimeoutMs.
  static async connect(options: DeviceClientOptions): Promise<DeviceClient> {
    const limits = resolveFrameLimits(options.limits);
    const socket = connectTcp({ host: options.host, port: options.port, noDelay: true });
    const pool = new PayloadPool();
    const reader = new FrameReader(limits, pool);
    try {
      const info = await performHandshake({ socket, reader, device: options.device, host: options.host, port: options.port,
        token: options.token, timeoutMs: options.connectTimeoutMs, signal: options.signal });
      return new DeviceClient(options, socket, reader, pool, info);
    } catch (error) {
      socket.destroy();
      throw error;
    }
  }

  get name(): string {
    return this.#options.device;
  }

  get isClosed(): boolean {
    return this.#closedBecause !== undefined;
  }

  // Sends one RUN and resolves with the device's output; rejects with DeviceError at the deadline.
  // The reply's `release`, when present, hands output's memory back (see RunReply).
  run(request: RunRequest, options: RequestOptions): Promise<RunReply> {
    const sendStartMs = performance.now();
    const { layer, rows, hidden, k } = request;
    const limits = this.info.limits;
    if (rows > limits.maxRows || hidden > limits.maxHidden || k > limits.maxK) {
      const detail = `RUN for layer ${layer} (rows ${rows}, hidden ${hidden}, k ${k}) exceeds the agent's limits (rows ${limits.maxRows}, hidden ${limits.maxHidden}, k ${limits.maxK})`;
      return Promise.reject(this.#error('run', 'agent-error', detail));
    }
    // A frame over the agent's byte limit would make it close the connection; refuse it here instead.
    const payloadBytes = runFrameBytes(rows, hidden, k, this.#dtype) - HEADER_BYTES;
    if (payloadBytes > limits.maxPayloadBytes) {
      const detail = `RUN for layer ${layer} would be ${payloadBytes} bytes (${rows} rows × ${hidden}), over the agent's limit of ${limits.maxPayloadBytes}`;
      return Promise.reject(this.#error('run', 'agent-error', detail));
    }
    if (!this.#isShaped) return this.#runUnshaped(request, options, sendStartMs);
    return this.#call('run', `RESULT for layer ${layer}`, options, async (call) => {
      const id = this.#takeId();
      const answer = call.expect(id, { kind: 'run', layer });
      const frameBytes = runFrameBytes(rows, hidden, k, this.#dtype);
      if (this.#options.downlink !== undefined) await this.#options.downlink.transmit(frameBytes, call.signal);
      const downlinkDoneMs = performance.now();
      this.#writeRun(id, request, options.deadlineMs);
      const { frame, wireBytes, lease } = await answer;
      const resultReceivedMs = performance.now();
      const failure = this.#checkResult(frame, layer, rows, hidden);
      if (failure !== undefined) {
        if (lease !== undefined) this.#pool.release(lease);
        throw failure;
      }
      const result = frame as ResultFrame;
      const release = this.#releaserOf(result.output, lease);
      // The deadline keeps running through uplink shaping: the caller's budget is end to end.
      try {
        if (this.#options.uplink !== undefined) await this.#options.uplink.transmit(wireBytes, call.signal);
      } catch (error) {
        release?.();
        throw error;
      }
      const reply: RunReply = {
        output: result.output,
        timing: { sendStartMs, downlinkDoneMs, resultReceivedMs, deliveredMs: performance.now(),
          deviceComputeMs: result.computeMicros / 1000, downlinkBytes: frameBytes, uplinkBytes: wireBytes },
      };
      if (release !== undefined) reply.release = release;
      return reply;
    });
  }

  // RUN with nothing to shape: the same checks, errors and deadline as #call, settled from #onFrame.
  #runUnshaped(request: RunRequest, options: RequestOptions, sendStartMs: number): Promise<RunReply> {
    if (this.#closedBecause !== undefined) return Promise.reject(this.#closedBecause);
    const { layer, rows, hidden } = request;
    const { signal, deadlineMs } = options;
    if (signal?.aborted) return Promise.reject(this.#abortError(layer, signal));
    return new Promise<RunReply>((resolve, reject) => {
      const id = this.#takeId();
      let downlinkDoneMs = 0;
      let downlinkBytes = 0;
      const settle = () => {
        signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(id);
      };
      const fail = (error: unknown) => {
        settle();
        reject(error);
      };
      const onAbort = () => fail(this.#abortError(layer, signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
      const deadlineAtMs = sendStartMs + deadlineMs;
      this.#pending.set(id, {
        kind: 'run',
        layer,
        deadlineAtMs,
        deadlineMs,
        reject: fail,
        resolve: (frame, wireBytes, lease) => {
          const resultReceivedMs = performance.now();
          settle();
          const failure = this.#checkResult(frame, layer, rows, hidden);
          if (failure !== undefined) {
            if (lease !== undefined) this.#pool.release(lease);
            return reject(failure);
          }
          const result = frame as ResultFrame;
          const reply: RunReply = {
            output: result.output,
            timing: { sendStartMs, downlinkDoneMs, resultReceivedMs, deliveredMs: resultReceivedMs,
              deviceComputeMs: result.computeMicros / 1000, downlinkBytes, uplinkBytes: wireBytes },
          };
          if (lease !== undefined) {
            const release = this.#releaserOf(result.output, lease);
            if (release !== undefined) reply.release = release;
          }
          resolve(reply);
        },
      });
      this.#armDeadline(deadlineAtMs, sendStartMs);
      try {
        downlinkDoneMs = performance.now();
        downlinkBytes = this.#writeRun(id, request, deadlineMs);
      } catch (error) {
        fail(error);
      }
    });
  }

  // For a RESULT read into a pooled buffer: a once-only hand-back when `output` views it, else the
  // buffer goes back at once (an fp16 output is a converted copy) and there is nothing to release.
  #releaserOf(output: Float32Array, lease: PayloadLease | undefined): (() => void) | undefined {
    if (lease === undefined) return undefined;
    if (output.buffer !== lease) {
      this.#pool.release(lease);
      return undefined;
    }
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      this.#pool.release(lease);
    };
  }

  // Makes sure the shared deadline timer fires by `atMs`: it is re-armed only for an earlier deadline
  // than the one it waits for, so a stream of requests with the same budget arms it once per budget.
  #armDeadline(atMs: number, nowMs: number): void {
    if (atMs >= this.#deadlineArmedAtMs) return;
    if (this.#deadlineTimer !== undefined) clearTimeout(this.#deadlineTimer);
    this.#deadlineArmedAtMs = atMs;
    this.#deadlineTimer = setTimeout(this.#onDeadlineTimerBound, Math.max(1, Math.ceil(atMs - nowMs)));
  }

  // Rejects every request past its deadline and re-arms for the earliest one left (none: stays off).
  #onDeadlineTimer(): void {
    this.#deadlineTimer = undefined;
    this.#deadlineArmedAtMs = Infinity;
    const nowMs = performance.now();
    let nextMs = Infinity;
    for (const pending of this.#pending.values()) {
      if (pending.deadlineAtMs <= nowMs) {
        pending.reject(this.#error('run', 'timeout', `no RESULT for layer ${pending.layer} within ${pending.deadlineMs} ms`));
      } else if (pending.deadlineAtMs < nextMs) {
        nextMs = pending.deadlineAtMs;
      }
    }
    if (nextMs !== Infinity) this.#armDeadline(nextMs, nowMs);
  }

  // The caller must not mutate `request.states` until run() settles (large frames are written from it without a copy).
  #writeRun(id: number, request: RunRequest, deadlineMs: number): number {
    if (this.#closedBecause !== undefined) throw this.#closedBecause;
    return this.#writer.writeRun({ requestId: id, dtype: this.#dtype, deadlineMs, layer: request.layer, rows: request.rows,
      hidden: request.hidden, k: request.k, states: request.states, weights: request.weights, experts: request.experts });
  }

  #checkResult(frame: Frame, layer: number, rows: number, hidden: number): DeviceError | undefined {
    if (frame.type !== 'result') return this.#error('run', 'protocol', `answered RUN for layer ${layer} with ${frame.type}`);
    if (frame.rows !== rows || frame.hidden !== hidden) {
      return this.#error('run', 'protocol', `RESULT for layer ${layer} is ${frame.rows}×${frame.hidden}, expected ${rows}×${hidden}`);
    }
    return undefined;
  }

  #abortError(layer: number, signal: AbortSignal): DeviceError {
    return this.#error('run', 'aborted', `RESULT for layer ${layer} abandoned: ${String(signal.reason)}`, signal.reason);
  }

  // Round-trip time of a PING, in ms (unshaped: control traffic is not modelled).
  ping(options: RequestOptions): Promise<number> {
    return this.#call('ping', 'PONG', options, async (call) => {
      const start = performance.now();
      const id = this.#takeId();
      const answer = call.expect(id, { kind: 'ping', layer: -1 });
      this.#write(encodeFrame({ type: 'ping', requestId: id }));
      const { frame } = await answer;
      if (frame.type !== 'pong') throw this.#error('ping', 'protocol', `answered PING with ${frame.type}`);
      return performance.now() - start;
    });
  }

  // The agent's counters.
  stats(options: RequestOptions): Promise<AgentStats> {
    return this.#call('stats', 'STATS', options, async (call) => {
      const id = this.#takeId();
      const answer = call.expect(id, { kind: 'stats', layer: -1 });
      this.#write(encodeFrame({ type: 'stats-request', requestId: id }));
      const { frame } = await answer;
      if (frame.type !== 'stats') throw this.#error('stats', 'protocol', `answered STATS-REQUEST with ${frame.type}`);
      return frame.stats;
    });
  }

  // Says BYE, rejects what is still pending, and waits (≤ timeoutMs) for the agent to close.
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#closedBecause === undefined) {
      this.#fail(this.#error('close', 'aborted', 'connection closed by the BS'));
      this.#socket.end(encodeFrame({ type: 'bye', requestId: 0 }));
    }
    if (this.#socket.closed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#socket.destroy(), options.timeoutMs ?? 1000);
      this.#socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  // Runs `work` under its deadline and the caller's signal. When either fires, the call's pending
  // answers are rejected and its AbortController (made only when shaping needs a signal) is aborted,
  // so whatever `work` awaits rejects at once; `finally` clears the timer, listener and pending ids.
  // A plain timer instead of AbortSignal.timeout + AbortSignal.any: this is the hot path (the
  // EventTarget machinery doubled a loopback round trip), and AbortSignal.any on a long-lived caller
  // signal accumulates dependants on Node 20.
  async #call<T>(kind: PendingKind, what: string, options: RequestOptions, work: (call: Call) => Promise<T>): Promise<T> {
    if (this.#closedBecause !== undefined) throw this.#closedBecause;
    const phase = kindPhase(kind);
    const ids: number[] = [];
    let controller: AbortController | undefined;
    let failure: DeviceError | undefined;
    const stop = (error: DeviceError) => {
      failure ??= error;
      controller?.abort(failure);
      for (const id of ids) {
        const pending = this.#pending.get(id);
        this.#pending.delete(id);
        pending?.reject(failure);
      }
    };
    const timer = setTimeout(() => stop(this.#error(phase, 'timeout', `no ${what} within ${options.deadlineMs} ms`)), options.deadlineMs);
    const onAbort = () => stop(this.#error(phase, 'aborted', `${what} abandoned: ${String(options.signal?.reason)}`, options.signal?.reason));
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
        if (failure !== undefined) return Promise.reject(failure);
        const answer = new Promise<Answer>((resolve, reject) =>
          this.#pending.set(id, { ...pending, deadlineAtMs: Infinity, deadlineMs: options.deadlineMs,
            resolve: (frame, wireBytes, lease) => resolve({ frame, wireBytes, lease }), reject }));
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
      for (const id of ids) this.#pending.delete(id);
    }
  }

  // Writes one encoded control frame.
  #write(frame: Buffer): void {
    if (this.#closedBecause !== undefined) throw this.#closedBecause;
    this.#writer.writeParts([frame]);
  }

  #onFrame(frame: Frame, wireBytes: number, lease: PayloadLease | undefined): void {
    const pending = this.#pending.get(frame.requestId);
    if (pending === undefined || frame.type !== 'result') {
      // Only a RESULT's output is handed on; every other frame's decoder copies what it keeps.
      if (lease !== undefined) this.#pool.release(lease);
      lease = undefined;
    }
    if (frame.type === 'error' && pending === undefined) {
      const failure = frame.code === 'auth-failed' ? 'auth-failed' : 'agent-error';
      this.#fail(this.#error('run', failure, `agent closed the connection: ${frame.code}: ${frame.message}`, undefined, frame.code));
      this.#socket.destroy();
      return;
    }
    if (pending === undefined) return; // a late answer to a request that already timed out
    if (frame.type === 'error') {
      this.#pending.delete(frame.requestId);
      const what = pending.kind === 'run' ? `RUN for layer ${pending.layer}` : pending.kind.toUpperCase();
      pending.reject(this.#error(kindPhase(pending.kind), 'agent-error', `agent refused ${what}: ${frame.code}: ${frame.message}`, undefined, frame.code));
      return;
    }
    this.#pending.delete(frame.requestId);
    pending.resolve(frame, wireBytes, lease);
  }

  // Rejects every pending request with `error` (once) and marks the client closed.
  #fail(error: DeviceError): void {
    this.#closedBecause ??= error;
    if (this.#deadlineTimer !== undefined) clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
    this.#deadlineArmedAtMs = Infinity;
    for (const pending of [...this.#pending.values()]) {
      const what = pending.kind === 'run' ? `RESULT for layer ${pending.layer}` : pending.kind.toUpperCase();
      pending.reject(new DeviceError({ device: error.device, phase: error.phase, failure: error.failure,
        detail: `${error.message.slice(`device ${error.device}: `.length)} (while waiting for ${what})`, cause: error.cause, agentCode: error.agentCode }));
    }
    this.#pending.clear();
  }

  #lostError(cause?: Error): DeviceError {
    return this.#error('run', 'lost', `connection to ${this.#options.host}:${this.#options.port} lost${cause ? `: ${cause.message}` : ''}`, cause);
  }

  #error(phase: DeviceError['phase'], failure: DeviceError['failure'], detail: string, cause?: unknown, agentCode?: string): DeviceError {
    return new DeviceError({ device: this.#options.device, phase, failure, detail, cause, agentCode });
  }

  #takeId(): number {
    do {
      const id = this.#nextId;
      this.#nextId = id >= 0xffff_ffff ? 1 : id + 1;
      if (!this.#pending.has(id)) return id;
    } while (true);
  }
}

// A shaper that may hold bytes back (pass-through ones, like shaping 'none', are skipped entirely).
function isShaping(shaper: LinkShaper | undefined): boolean {
  return shaper !== undefined && shaper.isPassThrough !== true;
}

function kindPhase(kind: PendingKind): DeviceError['phase'] {
  return kind === 'run' ? 'run' : kind === 'ping' ? 'ping' : 'stats';
}
