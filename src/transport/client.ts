// The BS side of one device connection: TCP (TCP_NODELAY), the mutual handshake, then pipelined
// requests matched by id. Every request has a deadline; a dead, closed or silent device rejects each
// pending request with a DeviceError naming the device and layer, never a hang. Userspace shaping:
// a RUN is written only once its downlink transmit resolved; a RESULT is handed on only once its
// uplink transmit resolved. Called by bs/ (through pool.ts) and perf/. This file keeps the class
// surface and the connection lifecycle; the request paths are client-shaped-call.ts (own timer) and
// client-unshaped-run.ts (hot path, one shared timer: client-deadlines.ts). The codec is frame.ts.
// A large RESULT is read into a pooled buffer that RunReply.release hands back (client-run-result.ts).
// Links shaped outside this process (tc; `isTimedOnWire`) are timed from when each RESULT's bytes
// arrive (client-wire-timing.ts), so the breakdown shows their time as downlink and uplink.
import { connect as connectTcp, type Socket } from 'node:net';
import type { LinkShaper } from '../links/index.js';
import { DeviceError } from './errors.js';
import { HEADER_BYTES, resolveFrameLimits, type FrameLimits } from './frame-header.js';
import { encodeFrame } from './frame.js';
import { runFrameBytes } from './frame-run.js';
import type { AgentStats, Frame, ResultFrame } from './frame-types.js';
import type { AgentTelemetry } from './agent-info.js';
import { FrameReader } from './frame-reader.js';
import { FrameWriter } from './frame-writer.js';
import { PayloadPool, type PayloadLease } from './payload-pool.js';
import { performHandshake } from './client-handshake.js';
import { PendingRequests, kindPhase, type RequestOptions } from './client-requests.js';
import { SharedDeadline } from './client-deadlines.js';
import { callShaped } from './client-shaped-call.js';
import { checkResult, releaserOf } from './client-run-result.js';
import { runUnshaped, type UnshapedRunContext } from './client-unshaped-run.js';
import { measureWireTimes, UplinkRate, type FrameArrival } from './client-wire-timing.js';
import type { WireDtype } from './dtype.js';
import type { DeviceInfo, LinkInForce, RunReply, RunRequest } from './types.js';

export type { RequestOptions } from './client-requests.js';

// A RUN's options: its deadline and signal, and the rate in force on each link for this transfer
// (absent: the shaper's own spec). Ignored on an unshaped connection.
export interface RunOptions extends RequestOptions {
  link?: { downlink?: LinkInForce; uplink?: LinkInForce };
}

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
  // The links are shaped outside this process (tc in the kernel): time each RUN's downlink and
  // uplink from its RESULT's bytes (on top of whatever the shapers above hold back). Default false.
  isTimedOnWire?: boolean;
}

// One authenticated connection to one agent.
export class DeviceClient {
  readonly info: DeviceInfo;
  readonly #options: DeviceClientOptions;
  readonly #socket: Socket;
  readonly #writer: FrameWriter;
  readonly #requests: PendingRequests;
  readonly #deadlines: SharedDeadline;
  readonly #unshaped: UnshapedRunContext;
  readonly #pool: PayloadPool;
  readonly #dtype: WireDtype;
  readonly #isShaped: boolean; // false: RUN takes the unshaped fast path
  // When the last frame's bytes came; rewritten per frame, read synchronously by its pending request.
  readonly #arrival: FrameArrival = { firstByteMs: 0, lastByteMs: 0, firstChunkBytes: 0 };
  readonly #uplinkRate = new UplinkRate();

  private constructor(options: DeviceClientOptions, socket: Socket, reader: FrameReader, pool: PayloadPool, info: DeviceInfo) {
    this.#options = options;
    this.#pool = pool;
    this.#socket = socket;
    this.#writer = new FrameWriter(socket);
    this.#requests = new PendingRequests(options.device);
    this.#deadlines = new SharedDeadline(this.#requests);
    this.#unshaped = { requests: this.#requests, deadlines: this.#deadlines, pool,
      writeRun: (id, request, deadlineMs) => this.#writeRun(id, request, deadlineMs), isTimedOnWire: options.isTimedOnWire === true, uplinkRate: this.#uplinkRate };
    this.#dtype = options.dtype ?? 'fp32';
    this.#isShaped = isShaping(options.downlink) || isShaping(options.uplink);
    this.info = info;
    // Arrival bookkeeping: a frame that spans chunks began in the chunk that left the reader holding
    // bytes (that many of them its first chunk's); any other frame came whole in the current chunk.
    const arrival = this.#arrival;
    let chunkMs = 0;
    let partialStartMs = -1;
    let partialFirstBytes = 0;
    const onFrame = (frame: Frame, wireBytes: number, lease: PayloadLease | undefined) => {
      if (partialStartMs >= 0) {
        arrival.firstByteMs = partialStartMs;
        arrival.firstChunkBytes = partialFirstBytes;
        partialStartMs = -1;
      } else {
        arrival.firstByteMs = chunkMs;
        arrival.firstChunkBytes = wireBytes;
      }
      arrival.lastByteMs = chunkMs;
      this.#onFrame(frame, wireBytes, lease);
    };
    socket.on('data', (chunk: Buffer) => {
      chunkMs = performance.now();
      try {
        reader.read(chunk, onFrame);
      } catch (error) {
        this.#fail(new DeviceError({ device: options.device, phase: 'run', failure: 'protocol', detail: `sent a bad frame: ${(error as Error).message}`, cause: error }));
      }
      if (partialStartMs < 0 && reader.bufferedBytes > 0) {
        partialStartMs = chunkMs;
        partialFirstBytes = reader.bufferedBytes;
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
    return this.#requests.closedBecause !== undefined;
  }

  // Sends one RUN and resolves with the device's output; rejects with DeviceError at the deadline.
  // The reply's `release`, when present, hands output's memory back (see RunReply).
  run(request: RunRequest, options: RunOptions): Promise<RunReply> {
    const sendStartMs = performance.now();
    const { layer, rows, hidden, k } = request;
    const limits = this.info.limits;
    if (rows > limits.maxRows || hidden > limits.maxHidden || k > limits.maxK) {
      const detail = `RUN for layer ${layer} (rows ${rows}, hidden ${hidden}, k ${k}) exceeds the agent's limits (rows ${limits.maxRows}, hidden ${limits.maxHidden}, k ${limits.maxK})`;
      return Promise.reject(this.#requests.error('run', 'agent-error', detail));
    }
    // A frame over the agent's byte limit would make it close the connection; refuse it here instead.
    const payloadBytes = runFrameBytes(rows, hidden, k, this.#dtype) - HEADER_BYTES;
    if (payloadBytes > limits.maxPayloadBytes) {
      const detail = `RUN for layer ${layer} would be ${payloadBytes} bytes (${rows} rows × ${hidden}), over the agent's limit of ${limits.maxPayloadBytes}`;
      return Promise.reject(this.#requests.error('run', 'agent-error', detail));
    }
    if (!this.#isShaped) return runUnshaped(this.#unshaped, request, options, sendStartMs);
    return callShaped(this.#requests, 'run', `RESULT for layer ${layer}`, options, async (call) => {
      const id = this.#requests.takeId();
      const answer = call.expect(id, { kind: 'run', layer });
      const frameBytes = runFrameBytes(rows, hidden, k, this.#dtype);
      const down = options.link?.downlink;
      const downTiming = this.#options.downlink === undefined ? undefined
        : await this.#options.downlink.transmit(frameBytes, { rateBitsPerSec: down?.rateBitsPerSec, delayMs: down?.delayMs, signal: call.signal });
      let downlinkDoneMs = performance.now();
      this.#writeRun(id, request, options.deadlineMs);
      const { frame, wireBytes, lease, arrival } = await answer;
      let resultReceivedMs = performance.now();
      const failure = checkResult(this.#requests, frame, layer, rows, hidden);
      if (failure !== undefined) {
        if (lease !== undefined) this.#pool.release(lease);
        throw failure;
      }
      const result = frame as ResultFrame;
      if (this.#options.isTimedOnWire === true) {
        // The RUN was written after its userspace downlink wait (delay only, under tc); the kernel's part follows.
        const wire = measureWireTimes(downlinkDoneMs, arrival, wireBytes, result.computeMicros / 1000, this.#uplinkRate);
        downlinkDoneMs += wire.downlinkMs;
        resultReceivedMs -= wire.uplinkMs;
      }
      const release = releaserOf(this.#pool, result.output, lease);
      // The deadline keeps running through uplink shaping: the caller's budget is end to end.
      const up = options.link?.uplink;
      let upTiming;
      try {
        if (this.#options.uplink !== undefined) upTiming = await this.#options.uplink.transmit(wireBytes, { rateBitsPerSec: up?.rateBitsPerSec, delayMs: up?.delayMs, signal: call.signal });
      } catch (error) {
        release?.();
        throw error;
      }
      const reply: RunReply = {
        output: result.output,
        timing: { sendStartMs, downlinkDoneMs, resultReceivedMs, deliveredMs: performance.now(),
          deviceComputeMs: result.computeMicros / 1000, downlinkBytes: frameBytes, uplinkBytes: wireBytes,
          downlinkRateBitsPerSec: downTiming?.rateBitsPerSec ?? null, uplinkRateBitsPerSec: upTiming?.rateBitsPerSec ?? null },
      };
      if (release !== undefined) reply.release = release;
      return reply;
    });
  }

  // Round-trip time of a PING, in ms (unshaped: control traffic is not modelled).
  ping(options: RequestOptions): Promise<number> {
    return callShaped(this.#requests, 'ping', 'PONG', options, async (call) => {
      const start = performance.now();
      const id = this.#requests.takeId();
      const answer = call.expect(id, { kind: 'ping', layer: -1 });
      this.#write(encodeFrame({ type: 'ping', requestId: id }));
      const { frame } = await answer;
      if (frame.type !== 'pong') throw this.#requests.error('ping', 'protocol', `answered PING with ${frame.type}`);
      return performance.now() - start;
    });
  }

  // The agent's counters and its telemetry (temperatures, clocks, power mode, energy) now.
  stats(options: RequestOptions): Promise<AgentStats & { telemetry: AgentTelemetry }> {
    return callShaped(this.#requests, 'stats', 'STATS', options, async (call) => {
      const id = this.#requests.takeId();
      const answer = call.expect(id, { kind: 'stats', layer: -1 });
      this.#write(encodeFrame({ type: 'stats-request', requestId: id }));
      const { frame } = await answer;
      if (frame.type !== 'stats') throw this.#requests.error('stats', 'protocol', `answered STATS-REQUEST with ${frame.type}`);
      return { ...frame.stats, telemetry: frame.telemetry };
    });
  }

  // Says BYE, rejects what is still pending, and waits (≤ timeoutMs) for the agent to close.
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#requests.closedBecause === undefined) {
      this.#fail(this.#requests.error('close', 'aborted', 'connection closed by the BS'));
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

  // The caller must not mutate `request.states` until run() settles (large frames are written from it without a copy).
  #writeRun(id: number, request: RunRequest, deadlineMs: number): number {
    if (this.#requests.closedBecause !== undefined) throw this.#requests.closedBecause;
    return this.#writer.writeRun({ requestId: id, dtype: this.#dtype, deadlineMs, layer: request.layer, rows: request.rows,
      hidden: request.hidden, k: request.k, states: request.states, weights: request.weights, experts: request.experts });
  }

  // Writes one encoded control frame.
  #write(frame: Buffer): void {
    if (this.#requests.closedBecause !== undefined) throw this.#requests.closedBecause;
    this.#writer.writeParts([frame]);
  }

  #onFrame(frame: Frame, wireBytes: number, lease: PayloadLease | undefined): void {
    const pending = this.#requests.byId.get(frame.requestId);
    if (pending === undefined || frame.type !== 'result') {
      // Only a RESULT's output is handed on; every other frame's decoder copies what it keeps.
      if (lease !== undefined) this.#pool.release(lease);
      lease = undefined;
    }
    if (frame.type === 'error' && pending === undefined) {
      const failure = frame.code === 'auth-failed' ? 'auth-failed' : 'agent-error';
      this.#fail(this.#requests.error('run', failure, `agent closed the connection: ${frame.code}: ${frame.message}`, undefined, frame.code));
      this.#socket.destroy();
      return;
    }
    if (pending === undefined) return; // a late answer to a request that already timed out
    if (frame.type === 'error') {
      this.#requests.byId.delete(frame.requestId);
      const what = pending.kind === 'run' ? `RUN for layer ${pending.layer}` : pending.kind.toUpperCase();
      pending.reject(this.#requests.error(kindPhase(pending.kind), 'agent-error', `agent refused ${what}: ${frame.code}: ${frame.message}`, undefined, frame.code));
      return;
    }
    this.#requests.byId.delete(frame.requestId);
    pending.resolve(frame, wireBytes, lease, this.#arrival);
  }

  // Rejects every pending request with `error` (once) and marks the client closed.
  #fail(error: DeviceError): void {
    this.#requests.closedBecause ??= error;
    this.#deadlines.stop();
    const pendingById = this.#requests.byId;
    for (const pending of [...pendingById.values()]) {
      const what = pending.kind === 'run' ? `RESULT for layer ${pending.layer}` : pending.kind.toUpperCase();
      pending.reject(new DeviceError({ device: error.device, phase: error.phase, failure: error.failure,
        detail: `${error.message.slice(`device ${error.device}: `.length)} (while waiting for ${what})`, cause: error.cause, agentCode: error.agentCode }));
    }
    pendingById.clear();
  }

  #lostError(cause?: Error): DeviceError {
    return this.#requests.error('run', 'lost', `connection to ${this.#options.host}:${this.#options.port} lost${cause ? `: ${cause.message}` : ''}`, cause);
  }
}

// A shaper that may hold bytes back (pass-through ones, like shaping 'none', are skipped entirely).
function isShaping(shaper: LinkShaper | undefined): boolean {
  return shaper !== undefined && shaper.isPassThrough !== true;
}
