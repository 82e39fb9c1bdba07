// Writes frames to one socket with as little work per frame as the bytes allow: a frame up to
// COPY_LIMIT_BYTES is encoded straight into a reused scratch buffer and goes out in one write(); a
// larger RUN or RESULT is written as parts (header, the caller's tensor as a view, tail) under
// cork/uncork, i.e. one writev, so its tensor is never copied in userspace. Used by client.ts and
// agent/connection.ts; the RUN/RESULT codec is frame-run.ts.
import type { Socket } from 'node:net';
import {
  encodeResultInto, encodeResultParts, encodeRunInto, encodeRunParts, resultFrameBytes, runFrameBytes,
} from './frame-run.js';
import type { ResultFrame, RunFrame } from './frame-types.js';

// Up to this size one memcpy is cheaper than a writev of three parts (measured by `npm run perf`).
export const COPY_LIMIT_BYTES = 32 * 1024;

// One socket's frame writer. Not shared between sockets.
export class FrameWriter {
  readonly #socket: Socket;
  #scratch: Buffer | undefined;

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  // Writes a RUN frame; returns its size on the wire. Throws ProtocolError when the arrays do not match the shape.
  writeRun(frame: Omit<RunFrame, 'type'>): number {
    const bytes = runFrameBytes(frame.rows, frame.hidden, frame.k, frame.dtype);
    if (bytes > COPY_LIMIT_BYTES) {
      this.writeParts(encodeRunParts(frame));
      return bytes;
    }
    const scratch = this.#takeScratch();
    encodeRunInto(frame, scratch);
    this.#writeScratch(scratch, bytes);
    return bytes;
  }

  // Writes a RESULT frame; returns its size on the wire. `onReleased`, if given, is called once the
  // socket no longer needs `frame.output` (at once when the frame was copied, else when the write
  // completed or failed), so memory the output views may be reused.
  writeResult(frame: Omit<ResultFrame, 'type'>, onReleased?: () => void): number {
    const bytes = resultFrameBytes(frame.rows, frame.hidden, frame.dtype);
    if (bytes > COPY_LIMIT_BYTES) {
      this.writeParts(encodeResultParts(frame), onReleased);
      return bytes;
    }
    const scratch = this.#takeScratch();
    encodeResultInto(frame, scratch);
    this.#writeScratch(scratch, bytes);
    onReleased?.();
    return bytes;
  }

  // Writes an encoded frame, or its parts as one writev; `onWritten` as socket.write's callback.
  writeParts(parts: readonly Buffer[], onWritten?: () => void): void {
    const socket = this.#socket;
    if (parts.length === 1) {
      socket.write(parts[0]!, onWritten);
      return;
    }
    socket.cork();
    let last = parts.length - 1;
    while (last > 0 && parts[last]!.length === 0) last--;
    for (let i = 0; i < last; i++) if (parts[i]!.length > 0) socket.write(parts[i]!);
    socket.write(parts[last]!, onWritten);
    socket.uncork();
  }

  #takeScratch(): Buffer {
    return (this.#scratch ??= Buffer.allocUnsafeSlow(COPY_LIMIT_BYTES));
  }

  // A write the kernel took whole leaves writableLength at 0 and the scratch free for the next frame;
  // otherwise the stream still holds it (queued, corked or partly sent) and the next frame gets a new one.
  #writeScratch(scratch: Buffer, bytes: number): void {
    this.#socket.write(scratch.subarray(0, bytes));
    if (this.#socket.writableLength !== 0) this.#scratch = undefined;
  }
}
