// Replaces a file atomically: the bytes go to a temp file in the same folder, are fsync'd, and the temp
// file is renamed over the target, so a reader (or the next start after a crash or Ctrl-C) sees the old
// file or the new one, never half of it. The one way wdmoe writes its json/yaml records and state files
// (records/, bench run folder, loopback and tc state). Dependency-free like the rest of core/.
// Why not write-file-atomic: its releases that still run on Node 20 need a newer 20.x than our engines
// (>=20.3) allow, and the part we need is these few lines.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface WriteAtomicOptions {
  readonly mode?: number; // permission bits of the new file (default 0o644 before umask)
  readonly durable?: boolean; // fsync the data before the rename (default true)
}

let sequence = 0;

// Writes `data` to `file` atomically (creating the folder); a failure leaves the old file as it was.
export function writeFileAtomicSync(file: string, data: string | Uint8Array, options: WriteAtomicOptions = {}): void {
  mkdirSync(path.dirname(file), { recursive: true });
  sequence += 1;
  const temp = `${file}.tmp-${process.pid}-${sequence}`;
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    const fd = openSync(temp, 'w', options.mode ?? 0o644);
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      if (options.durable ?? true) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

// `value` as pretty JSON with a trailing newline, written atomically.
export function writeJsonAtomicSync(file: string, value: unknown, options: WriteAtomicOptions = {}): void {
  writeFileAtomicSync(file, `${JSON.stringify(value, null, 2)}\n`, options);
}
