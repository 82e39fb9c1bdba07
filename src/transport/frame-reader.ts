// Turns a stream of socket chunks into whole decoded frames. This is the hot path of every RUN and
// RESULT: a frame that lies inside one chunk is decoded in place (zero-copy subarray), a frame that
// spans chunks is copied once into a buffer of exactly its size. Nothing is allocated for a payload
// before its header passed the limits and its fixed part (≤ 68 bytes, held in a small scratch buffer)
// implies exactly the header's length; an `inspect` hook (the agent's state and model checks) sees the
// header and fixed part at that point too. The buffer comes from a PayloadPool when the reader has one
// and the frame is large (the frame callback then gets the lease to hand back), else freshly allocated.
// No sockets or timers here; client.ts and agent/connection.ts feed it `data` chunks.
import { HEADER_BYTES, decodeHeader, type FrameHeader, type FrameLimits } from './frame-header.js';
import { checkFixedPart, checkPayloadLength, decodeFrame, type Frame } from './frame.js';
import type { PayloadLease, PayloadPool } from './payload-pool.js';

const MAX_FIXED_PART_BYTES = 128; // ≥ every FIXED_PART_BYTES entry

export interface ReceivedFrame {
  frame: Frame;
  wireBytes: number; // header + payload, for byte accounting and shaping
}

// Called for each frame once its header and fixed part are in and checked, before its payload is
// allocated or decoded; throws ProtocolError to refuse it (the reader then fails like for a bad frame).
export type FrameInspector = (header: FrameHeader, fixed: Buffer) => void;

// Accumulates chunks; `push` returns the frames completed by this chunk (in order) or throws ProtocolError;
// `read` hands them to a callback instead.
export class FrameReader {
  readonly #limits: FrameLimits;
  readonly #pool: PayloadPool | undefined;
  readonly #inspect: FrameInspector | undefined;
  readonly #headerBytes = Buffer.alloc(HEADER_BYTES);
  #headerFill = 0;
  #header: FrameHeader | undefined; // the frame being read, once its header is in
  #fixedBytes = 0; // its fixed part's length
  readonly #fixedScratch = Buffer.alloc(MAX_FIXED_PART_BYTES);
  #fixedFill = 0;
  #assembly: Buffer | undefined; // payload being filled across chunks, once the fixed part passed
  #assemblyFill = 0;
  #assemblyLease: PayloadLease | undefined; // set when #assembly came from the pool
  #failed = false;

  // Without a pool, every spanning frame gets a fresh buffer and no lease.
  constructor(limits: FrameLimits, pool?: PayloadPool, inspect?: FrameInspector) {
    this.#limits = limits;
    this.#pool = pool;
    this.#inspect = inspect;
  }

  // Bytes held for a frame not yet complete.
  get bufferedBytes(): number {
    if (this.#header === undefined) return this.#headerFill;
    return HEADER_BYTES + (this.#assembly === undefined ? this.#fixedFill : this.#assemblyFill);
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
          let header: FrameHeader;
          if (this.#headerFill === 0 && chunk.length - at >= HEADER_BYTES) {
            header = decodeHeader(chunk, at, this.#limits); // fast path: the whole header is in this chunk
            at += HEADER_BYTES;
          } else {
            const take = Math.min(HEADER_BYTES - this.#headerFill, chunk.length - at);
            chunk.copy(this.#headerBytes, this.#headerFill, at, at + take);
            this.#headerFill += take;
            at += take;
            if (this.#headerFill < HEADER_BYTES) break;
            this.#headerFill = 0;
            header = decodeHeader(this.#headerBytes, 0, this.#limits);
          }
          this.#fixedBytes = checkPayloadLength(header);
          if (chunk.length - at >= header.payloadLength) {
            // Fast path: the whole payload is in this chunk, decoded where it lies.
            const payload = chunk.subarray(at, at + header.payloadLength);
            this.#checkStart(header, payload.subarray(0, this.#fixedBytes));
            at += header.payloadLength;
            onFrame(decodeFrame(header, payload, this.#limits), HEADER_BYTES + header.payloadLength, undefined);
            continue;
          }
          this.#header = header;
        }
        const header = this.#header;
        if (this.#assembly === undefined) {
          // Hold the fixed part (≤ 68 bytes) and check it before allocating the payload.
          const take = Math.min(this.#fixedBytes - this.#fixedFill, chunk.length - at);
          chunk.copy(this.#fixedScratch, this.#fixedFill, at, at + take);
          this.#fixedFill += take;
          at += take;
          if (this.#fixedFill < this.#fixedBytes) break;
          const fixed = this.#fixedScratch.subarray(0, this.#fixedBytes);
          this.#checkStart(header, fixed);
          this.#startAssembly(header, fixed);
        }
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
          this.#fixedFill = 0;
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

  #checkStart(header: FrameHeader, fixed: Buffer): void {
    checkFixedPart(header, fixed, this.#limits);
    this.#inspect?.(header, fixed);
  }

  #startAssembly(header: FrameHeader, fixed: Buffer): void {
    // Offset 0 of its own ArrayBuffer (pooled or fresh, never Node's shared pool) keeps Float32Array
    // views of the payload aligned.
    const pooled = this.#pool?.take(header.payloadLength);
    this.#assembly = pooled ?? Buffer.allocUnsafeSlow(header.payloadLength);
    this.#assemblyLease = pooled?.buffer;
    fixed.copy(this.#assembly, 0);
    this.#assemblyFill = fixed.length;
  }
}
