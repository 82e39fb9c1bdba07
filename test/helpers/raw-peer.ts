// A raw TCP peer for agent tests (both runtimes): writes bytes of its choosing, collects the frames the agent
// sends back, notices when the agent closes, and can run the real handshake with a given token — checking the
// agent's own CHALLENGE proof too when told which token the agent holds.
import assert from 'node:assert/strict';
import { connect as connectTcp, type Socket } from 'node:net';
import { FrameReader, computeProof, createNonce, encodeFrame, resolveFrameLimits, type Frame } from '../../src/transport/index.js';

export interface RawPeerOptions {
  readonly agentToken?: string; // the agent's token: handshake() then verifies the agent's CHALLENGE proof
  readonly frameTimeoutMs?: number; // next()'s default wait (2 s)
}

// A raw TCP peer that collects decoded frames and notices when the agent closes.
export class RawPeer {
  readonly frames: Frame[] = [];
  readonly closed: Promise<void>;
  readonly socket: Socket;
  isClosed = false;
  #waiters: Array<() => void> = [];

  readonly #token: string;
  readonly #options: RawPeerOptions;

  constructor(port: number, token: string, options: RawPeerOptions = {}) {
    this.#token = token;
    this.#options = options;
    this.socket = connectTcp({ host: '127.0.0.1', port });
    const reader = new FrameReader(resolveFrameLimits());
    this.socket.on('data', (chunk: Buffer) => {
      this.frames.push(...reader.push(chunk).map((r) => r.frame));
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.socket.once('close', () => {
      this.isClosed = true;
      resolve();
    }));
  }

  async next(timeoutMs = this.#options.frameTimeoutMs ?? 2000): Promise<Frame> {
    const deadline = performance.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (performance.now() > deadline) throw new Error('no frame within deadline');
      if (this.isClosed) throw new Error('connection closed without a frame');
      await Promise.race([new Promise<void>((resolve) => this.#waiters.push(resolve)), this.closed, new Promise((r) => setTimeout(r, 50))]);
    }
    return this.frames.shift()!;
  }

  // Runs the handshake with `token`; returns the agent's final frame (welcome or error).
  async handshake(token = this.#token): Promise<Frame> {
    const bsNonce = createNonce();
    this.socket.write(encodeFrame({ type: 'hello', requestId: 0, nonce: bsNonce, clientName: 'raw' }));
    const challenge = await this.next();
    assert.equal(challenge.type, 'challenge');
    if (challenge.type !== 'challenge') throw new Error('unreachable');
    const { agentToken } = this.#options;
    if (agentToken !== undefined && !challenge.proof.equals(computeProof(agentToken, 'agent', bsNonce, challenge.nonce))) throw new Error('the agent\'s CHALLENGE proof does not verify');
    this.socket.write(encodeFrame({ type: 'auth', requestId: 0, proof: computeProof(token, 'bs', bsNonce, challenge.nonce) }));
    return this.next();
  }

  // Waits (bounded) for the agent to close this connection; true when it did.
  async waitClosed(timeoutMs = 3000): Promise<boolean> {
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, timeoutMs))]);
    return this.isClosed;
  }
}
