// Receive buffers for large frames that span socket chunks, handed back by their consumer once done,
// so a steady stream of big RUN/RESULT frames reuses a few buffers instead of allocating (and making
// V8 mark-compact for) a fresh one per frame. FrameReader takes from it; the agent returns a RUN's
// buffer once its RESULT is written, the client one RESULT's once the caller calls RunReply.release.
// A buffer never handed back is simply garbage-collected. No sockets, timers or logging here.

// Frames outside this range are assembled in fresh buffers: pooling pays only for large ones, and a
// power-of-two capacity would waste too much on huge ones.
export const POOLED_MIN_BYTES = 16 * 1024;
export const POOLED_MAX_BYTES = 8 * 1024 * 1024;

// What a consumer hands back: the ArrayBuffer under the pooled payload.
export type PayloadLease = ArrayBufferLike;

export interface PayloadPoolOptions {
  maxFreeBytes?: number; // total capacity kept on the free list; default 16 MiB
}

// A free list of power-of-two-capacity buffers; one per socket (not shared between connections).
export class PayloadPool {
  readonly #maxFreeBytes: number;
  readonly #free: PayloadLease[] = [];
  #freeBytes = 0;
  // Leases out now. Weak: a lease never returned does not keep its memory alive. A lease is removed
  // when returned, so a second release of it, or of a foreign buffer, does nothing.
  readonly #lent = new WeakSet<PayloadLease>();

  constructor(options: PayloadPoolOptions = {}) {
    this.#maxFreeBytes = options.maxFreeBytes ?? 16 * 1024 * 1024;
  }

  // Free capacity held, bytes.
  get freeBytes(): number {
    return this.#freeBytes;
  }

  // A buffer of exactly `bytes` at offset 0 of its ArrayBuffer (aligned for Float32Array views); its
  // `.buffer` is the lease to return with release(). undefined when `bytes` is outside the pooled range.
  take(bytes: number): Buffer | undefined {
    if (bytes < POOLED_MIN_BYTES || bytes > POOLED_MAX_BYTES) return undefined;
    const capacity = capacityFor(bytes);
    let memory: PayloadLease | undefined;
    const free = this.#free;
    for (let i = free.length - 1; i >= 0; i--) {
      if (free[i]!.byteLength === capacity) {
        memory = free[i]!;
        free[i] = free[free.length - 1]!;
        free.pop();
        this.#freeBytes -= capacity;
        break;
      }
    }
    // allocUnsafeSlow: not zero-filled (every byte is overwritten by the frame) and never a slice of
    // Node's shared pool, so the whole ArrayBuffer is ours.
    memory ??= Buffer.allocUnsafeSlow(capacity).buffer;
    this.#lent.add(memory);
    return Buffer.from(memory, 0, bytes);
  }

  // Hands a lease back for reuse. The caller must not read the payload (or any view of it) afterwards,
  // and must release each lease once: a stale second release could return the buffer's next lease.
  release(lease: PayloadLease): void {
    if (!this.#lent.delete(lease)) return;
    if (this.#freeBytes + lease.byteLength > this.#maxFreeBytes) return;
    this.#free.push(lease);
    this.#freeBytes += lease.byteLength;
  }
}

// The smallest power of two ≥ bytes (frames of varying rows still share buffers).
function capacityFor(bytes: number): number {
  return 2 ** Math.ceil(Math.log2(bytes));
}
