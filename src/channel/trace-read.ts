// Reads a rate trace file from disk: picks the format (explicit, else `.csv` → csv, anything else →
// mahimahi), parses it, and stamps the file's sha256 so a changed trace changes the testbed's fingerprint.
// I/O problems (missing, unreadable, empty) come back as line 0. Called by testbed/load.ts.
// Imports node:fs, node:crypto and sibling modules only.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { TraceError } from './errors.js';
import { parseCsvTrace } from './trace-csv.js';
import { parseMahimahiTrace } from './trace-mahimahi.js';
import type { RateTrace, TraceReadResult } from './types.js';

export type TraceFormat = RateTrace['format'];

export interface ReadTraceOptions {
  readonly format?: TraceFormat; // default: from the extension
  readonly binMs?: number; // Mahimahi bin (default 100 ms)
}

// The format a trace file name implies: `.csv` → csv, anything else (`.mahimahi`, `.up`, `.down`, none) → mahimahi.
export function traceFormatOf(file: string): TraceFormat {
  return extname(file).toLowerCase() === '.csv' ? 'csv' : 'mahimahi';
}

// Parses trace text already in memory.
export function parseTrace(file: string, text: string, options: ReadTraceOptions = {}): TraceReadResult {
  const format = options.format ?? traceFormatOf(file);
  return format === 'csv' ? parseCsvTrace(file, text) : parseMahimahiTrace(file, text, { binMs: options.binMs });
}

// Reads and parses the trace at `file` (an absolute path).
export function readTraceFile(file: string, options: ReadTraceOptions = {}): TraceReadResult {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    return { ok: false, line: 0, message: `cannot read trace file: ${reason}` };
  }
  const text = bytes.toString('utf8');
  if (text.trim() === '') return { ok: false, line: 0, message: 'trace file is empty' };
  const result = parseTrace(file, text, options);
  if (!result.ok) return result;
  return { ok: true, trace: Object.freeze({ ...result.trace, sha256: createHash('sha256').update(bytes).digest('hex') }) };
}

// The trace at `file`, or a TraceError naming file:line (for callers outside a testbed).
export function loadTraceFile(file: string, options: ReadTraceOptions = {}): RateTrace {
  const result = readTraceFile(file, options);
  if (!result.ok) throw new TraceError(file, result.line, result.message);
  return result.trace;
}
