// One BS connection on the agent: handshake (HELLO → CHALLENGE → AUTH → WELCOME) within a deadline,
// then RUN requests served one at a time in arrival order, PING/STATS answered at once, BYE = finish
// and close. A bad frame or a failed proof gets an ERROR frame and the connection is closed; nothing
// a peer sends can throw out of here. Frames are admitted (admission.ts) before their payload is
// allocated; memory is bounded: reading pauses while maxQueuedRequests RUNs or maxQueuedBytes are
// queued, or while WRITE_BACKLOG_BYTES of replies wait for a peer that does not read. A connection
// idle past idleTimeoutMs (nothing received, nothing in flight) gets ERROR timeout and is closed.
// Created by server.ts; imports only transport and core.
// Hot path (RUN → RESULT): frames arrive through a callback (no arrays), a RUN is dispatched before
// the state switch, the queue is drained with bound callbacks on the compute's promise (no async
// functions), and small RESULTs are encoded into a reused buffer and written with one write(). A large
// RUN that spanned socket chunks lives in a pooled buffer, handed back once its RESULT (which may view
// it: an echo compute returns its input) is written, so big frames do not allocate per request.
import type { Socket } from 'node:net';
import {
  FrameReader, FrameWriter, PayloadPool, ProtocolError, computeProof, createNonce, encodeChallenge, encodeError, encodeFrame,
  encodeStats, encodeWelcome, verifyProof, NO_EXPERT, type FrameLimits, type Frame, type PayloadLease, type RunFrame, type WireErrorCode,
} from '../transport/index.js';
import { admitFrame, type ConnectionState } from './admission.js';
import type { AgentStats, DisconnectReason, ExpertCompute } from './types.js';
import type { DeviceDescriber } from './device-monitor.js';

// Replies queued in the socket beyond this make the agent stop reading until they drain.
export const WRITE_BACKLOG_BYTES = 4 * 1024 * 1024;

export interface ConnectionContext {
  device: string;
  token: string;
  compute: ExpertCompute;
  describer: DeviceDescriber; // runtime info for WELCOME, telemetry for STATS
  heldExperts: ReadonlyMap<number, Uint8Array>; // layer → bitmap over expert indices
  limits: FrameLimits;
  stats: AgentStats; // shared by all connections, mutated here
  handshakeTimeoutMs: number;
  idleTimeoutMs: number; // 0 = never
  maxQueuedRequests: number;
  maxQueuedBytes: number;
  onAuthenticated(clientName: string): void;
  onRejected(code: WireErrorCode, message: string): void;
  onRequestFailed(requestId: number, layer: number, code: WireErrorCode, message: string): void;
  onClosed(reason: DisconnectReason): void;
}

interface QueuedRun {
  frame: RunFrame;
  wireBytes: number;
  deadlineAtMs: number; // local clock; Infinity when the RUN has none
  lease: PayloadLease | undefined; // the RUN's pooled payload, released once nothing reads it
}

// Serves one socket until it closes.
export class AgentConnection {
  readonly #socket: Socket;
  readonly #context: ConnectionContext;
  readonly #pool = new PayloadPool();
  readonly #reader: FrameReader;
  readonly #writer: FrameWriter;
  readonly #queue: QueuedRun[] = [];
  #current: { frame: RunFrame; startMs: number; lease: PayloadLease | undefined } | undefined; // the RUN whose compute is in flight
  readonly #onFrameBound = (frame: Frame, wireBytes: number, lease: PayloadLease | undefined) => {
    if (this.#state === 'closing' && this.#closeReason !== 'bye') return;
    if (frame.type === 'run' && this.#state === 'ready') return this.#enqueue(frame, wireBytes, lease);
    this.#onFrame(frame);
    // Other frames' decoders copy what they keep (nonces, names), so their payload is free at once.
    if (lease !== undefined) this.#pool.release(lease);
  };
  readonly #onComputedBound = (output: Float32Array) => this.#onComputed(output);
  readonly #onComputeFailedBound = (error: unknown) => this.#onComputeFailed(error);
  #state: ConnectionState = 'hello';
  #bsNonce: Buffer = Buffer.alloc(0);
  #agentNonce: Buffer = Buffer.alloc(0);
  #isDraining = false;
  #closeReason: DisconnectReason | undefined;
  #queuedBytes = 0;
  #lastReceivedMs = performance.now();
  readonly #handshakeTimer: NodeJS.Timeout;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(socket: Socket, context: ConnectionContext) {
    this.#socket = socket;
    this.#context = context;
    const hiddenSize = context.compute.hiddenSize;
    this.#reader = new FrameReader(context.limits, this.#pool, (header, fixed) => admitFrame(this.#state, header, fixed, context.device, hiddenSize));
    this.#writer = new FrameWriter(socket);
    socket.setNoDelay(true);
    this.#handshakeTimer = setTimeout(() => {
      this.#reject(0, 'timeout', `no complete handshake within ${context.handshakeTimeoutMs} ms`, 'handshake-timeout');
    }, context.handshakeTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#updateReading());
    socket.on('error', () => this.#destroy('socket-error'));
    socket.on('close', () => this.#finish(this.#closeReason ?? 'peer-closed'));
  }

  // Tells the peer the agent is going away and closes.
  shutdown(): void {
    this.#reject(0, 'shutting-down', `agent ${this.#context.device} is shutting down`, 'server-closed');
  }

  #onData(chunk: Buffer): void {
    this.#context.stats.bytesReceived += chunk.length;
    this.#lastReceivedMs = performance.now();
    try {
      this.#reader.read(chunk, this.#onFrameBound);
    } catch (error) {
      const isProtocol = error instanceof ProtocolError;
      this.#reject(isProtocol ? error.requestId ?? 0 : 0, isProtocol ? error.reason : 'bad-length', (error as Error).message, 'rejected');
    }
  }

  // Reads only while the queue and the reply backlog are under their bounds (TCP flow control then holds the BS back).
  #updateReading(): void {
    const socket = this.#socket;
    const { maxQueuedRequests, maxQueuedBytes } = this.#context;
    const isFull = this.#queue.length >= maxQueuedRequests || this.#queuedBytes >= maxQueuedBytes || socket.writableLength >= WRITE_BACKLOG_BYTES;
    if (isFull) {
      if (!socket.isPaused()) socket.pause();
    } else if (socket.isPaused() && !socket.destroyed) {
      socket.resume();
    }
  }

  // Closes the connection once nothing was received for idleTimeoutMs while nothing was queued or computing.
  #checkIdle(): void {
    this.#idleTimer = undefined;
    if (this.#state !== 'ready') return;
    const timeoutMs = this.#context.idleTimeoutMs;
    const now = performance.now();
    if (this.#current !== undefined || this.#queue.length > 0) this.#lastReceivedMs = now;
    const idleMs = now - this.#lastReceivedMs;
    if (idleMs >= timeoutMs) {
      this.#reject(0, 'timeout', `idle for ${Math.round(idleMs)} ms (the agent's idle timeout is ${timeoutMs} ms)`, 'idle-timeout');
      return;
    }
    this.#idleTimer = setTimeout(() => this.#checkIdle(), timeoutMs - idleMs);
  }

  #onFrame(frame: Frame): void {
    switch (`${this.#state}:${frame.type}`) {
      case 'hello:hello': return this.#onHello(frame as Extract<Frame, { type: 'hello' }>);
      case 'auth:auth': return this.#onAuth(frame as Extract<Frame, { type: 'auth' }>);
      case 'ready:ping': return this.#send(encodeFrame({ type: 'pong', requestId: frame.requestId }));
      case 'ready:stats-request': return this.#send(encodeStats({ requestId: frame.requestId, stats: this.#context.stats, telemetry: this.#context.describer.telemetry() }));
      case 'ready:bye':
      case 'closing:bye':
        this.#state = 'closing';
        this.#closeReason = 'bye';
        if (!this.#isDraining) this.#socket.end();
        return;
      default:
        this.#reject(frame.requestId, 'unexpected-frame', `${frame.type} is not expected ${this.#state === 'ready' ? 'from a BS' : `before the handshake completes (waiting for ${this.#state})`}`, 'rejected');
    }
  }

  #onHello(frame: Extract<Frame, { type: 'hello' }>): void {
    this.#bsNonce = frame.nonce;
    this.#agentNonce = createNonce();
    const proof = computeProof(this.#context.token, 'agent', this.#bsNonce, this.#agentNonce);
    this.#state = 'auth';
    this.#send(encodeChallenge({ requestId: 0, nonce: this.#agentNonce, proof }));
    this.#clientName = frame.clientName;
  }
  #clientName = '';

  #onAuth(frame: Extract<Frame, { type: 'auth' }>): void {
    if (!verifyProof(this.#context.token, 'bs', this.#bsNonce, this.#agentNonce, frame.proof)) {
      this.#reject(0, 'auth-failed', `the BS's auth proof does not match device ${this.#context.device}'s token`, 'rejected');
      return;
    }
    clearTimeout(this.#handshakeTimer);
    this.#state = 'ready';
    this.#context.stats.connections++;
    if (this.#context.idleTimeoutMs > 0) this.#idleTimer = setTimeout(() => this.#checkIdle(), this.#context.idleTimeoutMs);
    const { limits, compute, device } = this.#context;
    const experts = compute.experts.map((key) => {
      const [layer, expert] = key.split('.').map(Number);
      return { layer: layer!, expert: expert! };
    });
    this.#send(encodeWelcome({ requestId: 0, device, experts, limits, info: this.#context.describer.runtimeInfo() }));
    this.#context.onAuthenticated(this.#clientName);
  }

  #enqueue(frame: RunFrame, wireBytes: number, lease: PayloadLease | undefined): void {
    this.#context.stats.runRequests++;
    this.#queue.push({ frame, wireBytes, deadlineAtMs: frame.deadlineMs > 0 ? this.#lastReceivedMs + frame.deadlineMs : Infinity, lease });
    this.#queuedBytes += wireBytes;
    this.#updateReading();
    if (!this.#isDraining) this.#drain();
  }

  // Runs queued requests in arrival order, one at a time: returns while a compute is in flight, and
  // its completion (#onComputed / #onComputeFailed) calls back in here for the next one.
  #drain(): void {
    this.#isDraining = true;
    while (this.#queue.length > 0 && !this.#socket.destroyed) {
      const run = this.#queue.shift()!;
      this.#queuedBytes -= run.wireBytes;
      this.#updateReading();
      if (this.#start(run)) return;
    }
    this.#isDraining = false;
    if (this.#closeReason === 'bye') this.#socket.end();
  }

  // Starts one RUN's compute (true) or answers it with an ERROR at once (false).
  #start({ frame, deadlineAtMs, lease }: QueuedRun): boolean {
    const { requestId, layer } = frame;
    if (performance.now() > deadlineAtMs) {
      this.#context.stats.deadlineMisses++;
      this.#release(lease);
      this.#failRun(frame, 'deadline', `RUN ${requestId} for layer ${layer} waited past its ${frame.deadlineMs} ms deadline before it could start`);
      return false;
    }
    const missing = this.#findMissingExpert(frame);
    if (missing !== undefined) {
      this.#release(lease);
      this.#failRun(frame, 'unknown-expert', `device ${this.#context.device} does not hold expert ${layer}.${missing}`);
      return false;
    }
    this.#current = { frame, startMs: performance.now(), lease };
    let computing: Promise<Float32Array>;
    try {
      computing = this.#context.compute.apply(frame);
    } catch (error) {
      this.#current = undefined;
      this.#release(lease);
      this.#failRun(frame, 'compute-failed', computeFailure(layer, error));
      return false;
    }
    computing.then(this.#onComputedBound, this.#onComputeFailedBound);
    return true;
  }

  // The compute of the current RUN finished: answer RESULT (or compute-failed) and go on draining.
  #onComputed(output: Float32Array): void {
    const { frame, startMs, lease } = this.#current!;
    this.#current = undefined;
    const computeMicros = (performance.now() - startMs) * 1000;
    const socket = this.#socket;
    if (output.length !== frame.rows * frame.hidden) {
      this.#release(lease);
      this.#failRun(frame, 'compute-failed', `experts of layer ${frame.layer} returned ${output.length} values, expected ${frame.rows}×${frame.hidden}`);
    } else {
      this.#context.stats.runServed++;
      this.#context.stats.computeMicrosTotal += computeMicros;
      if (socket.destroyed || socket.writableEnded) {
        this.#release(lease);
      } else {
        // `output` may view the RUN's payload: its buffer goes back to the pool only once written.
        const onReleased = lease === undefined ? undefined : () => this.#pool.release(lease);
        this.#context.stats.bytesSent += this.#writer.writeResult(
          { requestId: frame.requestId, dtype: frame.dtype, rows: frame.rows, hidden: frame.hidden, computeMicros, output }, onReleased);
        if (socket.writableLength >= WRITE_BACKLOG_BYTES) this.#updateReading();
      }
    }
    this.#drain();
  }

  // The compute of the current RUN rejected: answer compute-failed and go on draining.
  #onComputeFailed(error: unknown): void {
    const { frame, lease } = this.#current!;
    this.#current = undefined;
    this.#release(lease);
    this.#failRun(frame, 'compute-failed', computeFailure(frame.layer, error));
    this.#drain();
  }

  #release(lease: PayloadLease | undefined): void {
    if (lease !== undefined) this.#pool.release(lease);
  }

  #failRun(frame: RunFrame, code: WireErrorCode, message: string): void {
    this.#context.stats.runErrors++;
    this.#send(encodeError({ requestId: frame.requestId, code, message }));
    this.#context.onRequestFailed(frame.requestId, frame.layer, code, message);
  }

  #findMissingExpert(frame: RunFrame): number | undefined {
    const held = this.#context.heldExperts.get(frame.layer);
    for (const expert of frame.experts) {
      if (expert !== NO_EXPERT && held?.[expert] !== 1) return expert;
    }
    return undefined;
  }

  // Writes one encoded control or ERROR frame.
  #send(frame: Buffer): void {
    const socket = this.#socket;
    if (socket.destroyed || socket.writableEnded) return;
    this.#context.stats.bytesSent += frame.length;
    socket.write(frame);
  }

  // Answers ERROR, then closes this connection (the server keeps serving the others).
  #reject(requestId: number, code: WireErrorCode, message: string, reason: DisconnectReason): void {
    if (this.#state === 'closing') return;
    this.#state = 'closing';
    this.#closeReason = reason;
    this.#clearQueue();
    if (reason === 'rejected') this.#context.onRejected(code, message);
    this.#send(encodeError({ requestId, code, message }));
    this.#socket.end();
    // A peer that never reads must not keep the socket alive.
    setTimeout(() => this.#socket.destroy(), 1000).unref();
  }

  #destroy(reason: DisconnectReason): void {
    this.#closeReason ??= reason;
    this.#socket.destroy();
  }

  #finish(reason: DisconnectReason): void {
    clearTimeout(this.#handshakeTimer);
    clearTimeout(this.#idleTimer);
    this.#clearQueue();
    this.#context.onClosed(reason);
  }

  // Drops queued RUNs (no answer: the BS fails them when the connection closes), handing their buffers back.
  #clearQueue(): void {
    for (const run of this.#queue) this.#release(run.lease);
    this.#queue.length = 0;
    this.#queuedBytes = 0;
  }
}

function computeFailure(layer: number, error: unknown): string {
  return `experts of layer ${layer} failed: ${error instanceof Error ? error.message : String(error)}`;
}
