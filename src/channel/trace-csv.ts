// Reads a CSV rate trace: `t_ms,rate_bps[,delay_ms]` per line, t strictly increasing from ≥ 0, rate > 0,
// delay ≥ 0. An optional header line naming those columns, `#` comments and blank lines are allowed.
// Step i holds from t_i to t_(i+1); the trace lasts `# duration_ms=N` when the file says so (N > last t),
// else last t + (last t − previous t), i.e. the last step as long as the one before it. Text in, trace or
// located problem out; no I/O (trace-read.ts reads the file). Imports only ./types.
import type { RateTrace, TraceReadResult } from './types.js';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
const HEADERS = ['t_ms,rate_bps', 't_ms,rate_bps,delay_ms'];
const DURATION_COMMENT = /^#\s*duration_ms\s*=\s*(.*)$/i;
export const CSV_TRACE_FORMS = 'lines of t_ms,rate_bps[,delay_ms] (e.g. 0,20000000,5)';

type Step = RateTrace['steps'][number];

function numberOf(text: string): number | null {
  const trimmed = text.trim();
  return NUMBER.test(trimmed) ? Number(trimmed) : null;
}

// Parses the CSV text of `file` into a trace, or names the first bad line.
export function parseCsvTrace(file: string, text: string): TraceReadResult {
  const steps: Step[] = [];
  let explicitDurationMs: { value: number; line: number } | null = null;
  let hasData = false;
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const line = index + 1;
    const raw = lines[index]!.trim();
    if (raw === '') continue;
    const duration = DURATION_COMMENT.exec(raw);
    if (duration) {
      const value = numberOf(duration[1]!);
      if (value === null || !(value > 0) || !Number.isFinite(value)) return { ok: false, line, message: `expected # duration_ms=N with N > 0, got "${raw}"` };
      explicitDurationMs = { value, line };
      continue;
    }
    if (raw.startsWith('#')) continue;
    if (!hasData && /^[A-Za-z_]/.test(raw)) {
      const header = raw.split(',').map((cell) => cell.trim().toLowerCase()).join(',');
      if (!HEADERS.includes(header)) return { ok: false, line, message: `expected the header t_ms,rate_bps or t_ms,rate_bps,delay_ms, got "${raw}"` };
      hasData = true;
      continue;
    }
    hasData = true;
    const cells = raw.split(',');
    if (cells.length < 2 || cells.length > 3) return { ok: false, line, message: `expected ${CSV_TRACE_FORMS}, got ${cells.length} field(s): "${raw}"` };
    const [t, rate, delay] = cells.map(numberOf);
    if (t === null || !Number.isFinite(t) || t! < 0) return { ok: false, line, message: `expected t_ms a number ≥ 0, got "${cells[0]!.trim()}"` };
    const previous = steps.at(-1);
    if (previous && t! <= previous.startMs) return { ok: false, line, message: `expected t_ms above the previous line's ${previous.startMs} (times strictly increasing), got ${t}` };
    if (rate === null || !Number.isFinite(rate) || !(rate! > 0)) return { ok: false, line, message: `expected rate_bps a number > 0 (bits per second), got "${cells[1]!.trim()}"` };
    if (cells.length === 3 && (delay === null || !Number.isFinite(delay) || delay! < 0)) return { ok: false, line, message: `expected delay_ms a number ≥ 0, got "${cells[2]!.trim()}"` };
    steps.push(Object.freeze({ startMs: t!, rateBitsPerSec: rate!, delayMs: cells.length === 3 ? delay! : null }));
  }
  if (steps.length === 0) return { ok: false, line: 0, message: `no trace lines (expected ${CSV_TRACE_FORMS})` };
  const last = steps.at(-1)!;
  let durationMs: number;
  if (explicitDurationMs) {
    if (!(explicitDurationMs.value > last.startMs)) {
      return { ok: false, line: explicitDurationMs.line, message: `expected duration_ms above the last t_ms ${last.startMs}, got ${explicitDurationMs.value}` };
    }
    durationMs = explicitDurationMs.value;
  } else if (steps.length >= 2) {
    durationMs = last.startMs + (last.startMs - steps.at(-2)!.startMs);
  } else {
    return { ok: false, line: 0, message: 'a one-line trace needs its length: add a line "# duration_ms=N"' };
  }
  return { ok: true, trace: Object.freeze({ file, format: 'csv' as const, steps: Object.freeze(steps), durationMs }) };
}
