// A raw TCP peer for agent tests: writes bytes of its choosing, collects the frames the agent sends
// back, notices when the agent closes, and can run the real handshake with a given token.
import assert from 'node:assert/strict';
import { connect as connectTcp, type Socket } from 'node:net';
import { FrameReader, computeProof, createNonce, encodeFrame, resolveFrameLimits, type Frame } from '../../src/transport/index.js';

// A raw TCP peer that collects decoded frames and notices when the agent closes.
export class RawPeer {
  readonly frames: Frame[] = [];
  readonly closed: Promise<void>;
  readonly socket: Socket;
  #waiters: Array<() => void> = [];

  readonly #token: string;

  constructor(port: number, token: string) {
    this.#token = token;
    this.socket = connectTcp({ host: '127.0.0.1', port });
    const reader = new FrameReader(resolveFrameLimits());
    this.socket.on('data', (chunk: Buffer) => {
      this.frames.push(...reader.push(chunk).map((r) => r.frame));
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  async next(timeoutMs = 2000): Promise<Frame> {
    const deadline = performance.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (performance.now() > deadline) throw new Error('no frame within deadline');
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
    this.socket.write(encodeFrame({ type: 'auth', requestId: 0, proof: computeProof(token, 'bs', bsNonce, challenge.nonce) }));
    return this.next();
  }
}

