// Turns a stream of socket chunks into whole decoded frames. This is the hot path of every RUN and
// RESULT: a frame that lies inside one chunk is decoded in place (zero-copy subarray), a frame that
// spans chunks is copied once into a buffer of exactly its size, taken only after its header passed
// the limits: from a PayloadPool when the reader has one and the frame is large (the frame callback
// then gets the lease to hand back), else freshly allocated. No sockets or timers here; client.ts and
// agent/connection.ts feed it `data` chunks.
import { HEADER_BYTES, decodeHeader, type FrameHeader, type FrameLimits } from './frame-header.js';
import { decodeFrame, type Frame } from './frame.js';
import type { PayloadLease, PayloadPool } from './payload-pool.js';

// A decoded frame with its size on the wire (header + payload), for byte accounting and shaping.
const EMPTY = Buffer.alloc(0);

export interface ReceivedFrame {
  frame: Frame;
  wireBytes: number;
}

// Accumulates chunks; `push` returns the frames completed by this chunk (in order) or throws ProtocolError;
// `read` hands them to a callback instead.
export class FrameReader {
  readonly #limits: FrameLimits;
  readonly #headerBytes = Buffer.alloc(HEADER_BYTES);
  #headerFill = 0;
  #header: FrameHeader | undefined;
  #assembly: Buffer | undefined; // payload being filled across chunks
  #assemblyFill = 0;
  #assemblyLease: PayloadLease | undefined; // set when #assembly came from the pool
  #failed = false;
  readonly #pool: PayloadPool | undefined;

  // Without a pool, every spanning frame gets a fresh buffer and no lease.
  constructor(limits: FrameLimits, pool?: PayloadPool) {
    this.#limits = limits;
    this.#pool = pool;
  }

  // Bytes held for a frame not yet complete.
  get bufferedBytes(): number {
    return this.#headerFill + this.#assemblyFill;
  }

  push(chunk: Buffer): ReceivedFrame[] {
    const frames: ReceivedFrame[] = [];
    this.read(chunk, (frame, wireBytes) => {
      frames.push({ frame, wireBytes });
    });
    return frames;
  }

  // The allocation-free form of push for the sockets' hot path: calls `onFrame` for each frame this
  // chunk completes, in order, and throws ProtocolError at the first bad one (frames before it were
  // already delivered). `onFrame` must not throw. `lease` is set when the frame's payload is a pooled
  // buffer: the frame's tensors may view it until the consumer hands it back (pool.release(lease));
  // a consumer that ignores it just leaves the buffer to the garbage collector.
  read(chunk: Buffer, onFrame: (frame: Frame, wireBytes: number, lease: PayloadLease | undefined) => void): void {
    if (this.#failed) return;
    try {
      let at = 0;
      while (at < chunk.length) {
        if (this.#header === undefined) {
          if (this.#headerFill === 0 && chunk.length - at >= HEADER_BYTES) {
            // Fast path: the whole header is in this chunk.
            const header = decodeHeader(chunk, at, this.#limits);
            at += HEADER_BYTES;
            if (chunk.length - at >= header.payloadLength) {
              const payload = chunk.subarray(at, at + header.payloadLength);
              at += header.payloadLength;
              onFrame(decodeFrame(header, payload, this.#limits), HEADER_BYTES + header.payloadLength, undefined);
              continue;
            }
            this.#startAssembly(header);
          } else {
            const take = Math.min(HEADER_BYTES - this.#headerFill, chunk.length - at);
            chunk.copy(this.#headerBytes, this.#headerFill, at, at + take);
            this.#headerFill += take;
            at += take;
            if (this.#headerFill < HEADER_BYTES) break;
            this.#headerFill = 0;
            const header = decodeHeader(this.#headerBytes, 0, this.#limits);
            if (header.payloadLength === 0) {
              onFrame(decodeFrame(header, EMPTY, this.#limits), HEADER_BYTES, undefined);
              continue;
            }
            this.#startAssembly(header);
          }
        }
        const header = this.#header!;
        const assembly = this.#assembly!;
        const take = Math.min(header.payloadLength - this.#assemblyFill, chunk.length - at);
        chunk.copy(assembly, this.#assemblyFill, at, at + take);
        this.#assemblyFill += take;
        at += take;
        if (this.#assemblyFill === header.payloadLength) {
          const lease = this.#assemblyLease;
          this.#header = undefined;
          this.#assembly = undefined;
          this.#assemblyLease = undefined;
          this.#assemblyFill = 0;
          let frame: Frame;
          try {
            frame = decodeFrame(header, assembly, this.#limits);
          } catch (error) {
            if (lease !== undefined) this.#pool!.release(lease);
            throw error;
          }
          onFrame(frame, HEADER_BYTES + header.payloadLength, lease);
        }
      }
    } catch (error) {
      // After a bad frame the byte stream has no trustworthy boundary left: refuse everything after it.
      this.#failed = true;
      throw error;
    }
  }

  #startAssembly(header: FrameHeader): void {
    this.#header = header;
    // Offset 0 of its own ArrayBuffer (pooled or fresh, never Node's shared pool) keeps Float32Array
    // views of the payload aligned.
    const pooled = this.#pool?.take(header.payloadLength);
    this.#assembly = pooled ?? Buffer.allocUnsafeSlow(header.payloadLength);
    this.#assemblyLease = pooled?.buffer;
    this.#assemblyFill = 0;
  }
}
