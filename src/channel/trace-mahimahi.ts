// Reads a Mahimahi link trace (the files `mm-link` takes; format as mahimahi's src/packet/link_queue.cc
// reads it): one integer millisecond per line, each an opportunity to deliver one 1500-byte packet, the
// same millisecond repeated for several packets, lines non-decreasing, the last one > 0; the trace repeats
// with period = the last timestamp (a delivery at the last millisecond is the next cycle's millisecond 0).
// Opportunities are counted in `binMs` windows → rate = packets·1500·8 / (binMs/1000), the last window
// possibly shorter. A window with no opportunity is a 0 bit/s step (an outage, as in the trace).
// Blank lines and `#` comments are skipped (mm-link itself rejects them). No I/O; imports only ./types.
import type { TraceReadResult } from './types.js';

export const MAHIMAHI_PACKET_BYTES = 1500;
export const DEFAULT_MAHIMAHI_BIN_MS = 100;
const INTEGER = /^\d+$/;

// Parses the Mahimahi text of `file` into a trace of `binMs` steps, or names the first bad line.
export function parseMahimahiTrace(file: string, text: string, options: { binMs?: number } = {}): TraceReadResult {
  const binMs = options.binMs ?? DEFAULT_MAHIMAHI_BIN_MS;
  if (!(binMs > 0) || !Number.isFinite(binMs)) return { ok: false, line: 0, message: `expected a bin above 0 ms, got ${binMs}` };
  const times: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const raw = lines[index]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const line = index + 1;
    if (!INTEGER.test(raw)) return { ok: false, line, message: `expected a whole number of milliseconds (one packet delivery opportunity per line), got "${raw}"` };
    const ms = Number(raw);
    if (!Number.isSafeInteger(ms)) return { ok: false, line, message: `expected a millisecond timestamp below 2^53, got "${raw}"` };
    const previous = times.at(-1);
    if (previous !== undefined && ms < previous) return { ok: false, line, message: `expected timestamps non-decreasing, got ${ms} after ${previous}` };
    times.push(ms);
  }
  if (times.length === 0) return { ok: false, line: 0, message: 'no timestamps (expected one millisecond per line, one line per 1500-byte delivery opportunity)' };
  const periodMs = times.at(-1)!;
  if (periodMs === 0) return { ok: false, line: 0, message: 'the trace must last a nonzero time (its last timestamp is 0)' };

  const binCount = Math.ceil(periodMs / binMs);
  const packets = new Array<number>(binCount).fill(0);
  for (const ms of times) packets[Math.floor((ms % periodMs) / binMs)]! += 1;
  const steps = packets.map((count, bin) => {
    const startMs = bin * binMs;
    const lengthMs = Math.min(binMs, periodMs - startMs);
    return Object.freeze({ startMs, rateBitsPerSec: (count * MAHIMAHI_PACKET_BYTES * 8) / (lengthMs / 1000), delayMs: null });
  });
  return { ok: true, trace: Object.freeze({ file, format: 'mahimahi' as const, steps: Object.freeze(steps), durationMs: periodMs, binMs }) };
}
