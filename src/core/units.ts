// Parses the unit strings of a testbed file, once: rates, durations, loss, radio bandwidths.
// Rates follow tc(8): `bit` (or a bare number) = bits/s, `bps` = BYTES/s; k/m/g/t are ×1000,
// ki/mi/gi/ti are ×1024; suffixes are case-insensitive, as in tc. Durations need a unit
// (us, ms, s, m) except 0, because tc reads a bare number as µs and people read it as ms.
// In core because the testbed (schema.ts, profiles.ts, rules.ts, render.ts) and the agent command (its
// duration flags) both read them; imports nothing.

export type UnitResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const RATE_FORMS = 'a rate like 20mbit, 1gbit, 500kbit, 12mbps (bytes/s, as in tc), a number of bits/s, or "unlimited"';
const DURATION_FORMS = 'a duration like 250us, 10ms, 1.5s or 2m (0 may be bare)';
const LOSS_FORMS = 'a loss like 0.5% or a fraction like 0.005 (between 0 and 1)';

const RATE_SUFFIXES: Readonly<Record<string, number>> = {
  '': 1, bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9, tbit: 1e12,
  kibit: 1024, mibit: 1024 ** 2, gibit: 1024 ** 3, tibit: 1024 ** 4,
  bps: 8, kbps: 8e3, mbps: 8e6, gbps: 8e9, tbps: 8e12,
  kibps: 8 * 1024, mibps: 8 * 1024 ** 2, gibps: 8 * 1024 ** 3, tibps: 8 * 1024 ** 4,
};

const DURATION_SUFFIXES: Readonly<Record<string, number>> = {
  us: 1e-3, usec: 1e-3, ms: 1, msec: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000,
};

const NUMBER_WITH_SUFFIX = /^\s*([0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)\s*([a-z%]*)\s*$/i;

// Shows a user value in a message the way they wrote it.
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return 'a list';
  return 'a map';
}

function fail<T>(forms: string, value: unknown, detail?: string): UnitResult<T> {
  return { ok: false, message: `expected ${forms}, got ${describeValue(value)}${detail ? ` (${detail})` : ''}` };
}

// A number > 0, or a string of one with a suffix of `suffixes` (case-insensitive; its scale applied): rates and
// frequencies. A failure names `forms`.
function parsePositiveWithSuffix(value: unknown, forms: string, suffixes: Readonly<Record<string, number>>): UnitResult<number> {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? { ok: true, value } : fail(forms, value, 'must be > 0');
  if (typeof value !== 'string') return fail(forms, value);
  const match = NUMBER_WITH_SUFFIX.exec(value);
  const scale = match ? suffixes[match[2]!.toLowerCase()] : undefined;
  if (!match || scale === undefined) return fail(forms, value);
  const scaled = Number(match[1]) * scale;
  if (!(scaled > 0)) return fail(forms, value, 'must be > 0');
  return { ok: true, value: scaled };
}

// Parses a link rate into bits per second; null means not rate-limited ("unlimited" or null).
export function parseRate(value: unknown): UnitResult<number | null> {
  if (value === null || value === 'unlimited') return { ok: true, value: null };
  return parsePositiveWithSuffix(value, RATE_FORMS, RATE_SUFFIXES);
}

// True when a rate string uses tc's bytes-per-second suffix (`12mbps` = 96 Mbit/s), a common slip.
export function isBytesPerSecondRate(value: unknown): boolean {
  return typeof value === 'string' && /[0-9.]\s*[kmgt]?i?bps\s*$/i.test(value);
}

// Parses a duration into milliseconds.
export function parseDuration(value: unknown): UnitResult<number> {
  if (value === 0) return { ok: true, value: 0 };
  if (typeof value === 'number') return fail(DURATION_FORMS, value, 'add a unit, e.g. 10ms');
  if (typeof value !== 'string') return fail(DURATION_FORMS, value);
  const match = NUMBER_WITH_SUFFIX.exec(value);
  if (match && match[2] === '' && Number(match[1]) === 0) return { ok: true, value: 0 };
  const scale = match ? DURATION_SUFFIXES[match[2]!.toLowerCase()] : undefined;
  if (!match || scale === undefined) return fail(DURATION_FORMS, value);
  return { ok: true, value: Number(match[1]) * scale };
}

const FREQUENCY_FORMS = 'a frequency like 20MHz, 100 MHz, 1.4GHz, 500kHz or a number of Hz';
const FREQUENCY_SUFFIXES: Readonly<Record<string, number>> = { '': 1, hz: 1, khz: 1e3, mhz: 1e6, ghz: 1e9 };

// Parses a radio bandwidth into hertz (Hz, kHz, MHz, GHz, case-insensitive; a bare number is Hz).
export function parseFrequency(value: unknown): UnitResult<number> {
  return parsePositiveWithSuffix(value, FREQUENCY_FORMS, FREQUENCY_SUFFIXES);
}

// Formats hertz the way the testbed file writes them (20MHz), for summaries.
export function formatFrequency(hz: number): string {
  for (const [suffix, scale] of [['GHz', 1e9], ['MHz', 1e6], ['kHz', 1e3]] as const) {
    if (hz >= scale) return `${trimNumber(hz / scale)}${suffix}`;
  }
  return `${trimNumber(hz)}Hz`;
}

// Parses a packet loss into a fraction in [0, 1].
export function parseLoss(value: unknown): UnitResult<number> {
  if (typeof value === 'number') {
    if (value >= 0 && value <= 1) return { ok: true, value };
    return fail(LOSS_FORMS, value, value > 1 ? `write ${value}% for percent` : 'must be ≥ 0');
  }
  if (typeof value !== 'string') return fail(LOSS_FORMS, value);
  const match = NUMBER_WITH_SUFFIX.exec(value);
  if (!match || (match[2] !== '%' && match[2] !== '')) return fail(LOSS_FORMS, value);
  const fraction = match[2] === '%' ? Number(match[1]) / 100 : Number(match[1]);
  if (!(fraction >= 0 && fraction <= 1)) return fail(LOSS_FORMS, value, 'must be between 0% and 100%');
  return { ok: true, value: fraction };
}

// Formats bits per second the way the testbed file writes them (20mbit), for summaries.
export function formatRate(bitsPerSec: number | null): string {
  if (bitsPerSec === null) return 'unlimited';
  for (const [suffix, scale] of [['gbit', 1e9], ['mbit', 1e6], ['kbit', 1e3]] as const) {
    if (bitsPerSec >= scale) return `${trimNumber(bitsPerSec / scale)}${suffix}`;
  }
  return `${trimNumber(bitsPerSec)}bit`;
}

// Formats milliseconds as the shortest readable duration (250us, 10ms, 1.5s).
export function formatDuration(ms: number): string {
  if (ms === 0) return '0ms';
  if (ms < 1) return `${trimNumber(ms * 1000)}us`;
  if (ms >= 1000) return `${trimNumber(ms / 1000)}s`;
  return `${trimNumber(ms)}ms`;
}

function trimNumber(value: number): string {
  return String(Number(value.toFixed(3)));
}
