// Durable JSON Lines appends for the run folder: each value is written as one complete line with a single
// writeSync on an fd opened for append, then fsync'd, so a killed run leaves at most one torn last line.
// Opening first cuts such a torn tail off (it never ended in "\n", so it was never committed).
// Used by records.ts, item-scores.ts, generations.ts and layer-log.ts.

import type { z } from 'zod';
import { closeSync, fsyncSync, ftruncateSync, openSync, readSync, fstatSync, writeSync } from 'node:fs';

export interface JsonlAppender {
  readonly file: string;
  // Bytes of a torn last line cut off when the file was opened (0 when the file was clean).
  readonly truncatedBytes: number;
  append(value: unknown): void;
  close(): void;
}

// Offset just after the last "\n" in the file (0 if none), scanning backwards in chunks.
function committedLength(fd: number, size: number): number {
  const chunk = Buffer.alloc(64 * 1024);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const read = readSync(fd, chunk, 0, end - start, start);
    const index = chunk.subarray(0, read).lastIndexOf(0x0a);
    if (index >= 0) return start + index + 1;
    end = start;
  }
  return 0;
}

// Opens (creating) `file` for appending whole lines; `durable: false` skips fsync (tests, throwaway runs).
export function openJsonlAppender(file: string, options: { durable?: boolean } = {}): JsonlAppender {
  const durable = options.durable ?? true;
  const fd = openSync(file, 'a+');
  const size = fstatSync(fd).size;
  const committed = size === 0 ? 0 : committedLength(fd, size);
  if (committed < size) {
    ftruncateSync(fd, committed);
    if (durable) fsyncSync(fd);
  }
  let closed = false;
  return {
    file,
    truncatedBytes: size - committed,
    append(value) {
      if (closed) throw new Error(`append to closed ${file}`);
      const line = Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
      let written = 0;
      while (written < line.length) written += writeSync(fd, line, written, line.length - written);
      if (durable) fsyncSync(fd);
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}

// A run-folder record file: every appended record is checked against its schema, then written whole.
export interface RecordWriter<T> {
  readonly truncatedBytes: number; // torn tail cut off on open (warn the user when > 0)
  append(record: T): void;
  close(): void;
}

// Opens `file` for appending records that `schema` accepts (strict: exactly the documented keys).
export function openRecordWriter<T>(file: string, schema: z.ZodType<T>, options: { durable?: boolean } = {}): RecordWriter<T> {
  const appender = openJsonlAppender(file, options);
  return {
    truncatedBytes: appender.truncatedBytes,
    append: (record) => appender.append(schema.parse(record)),
    close: () => appender.close(),
  };
}
