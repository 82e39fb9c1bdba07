// How one value reads in a text table (terminal, Markdown) and in CSV: columns built from a row accessor,
// a header, decimals and the CSV field names (units in the name). CSV keeps full precision; text rounds.
// Pure; used by sections.ts.

export type CsvCell = string | number | null;

// A column of rows of type R: its text cell and its CSV fields (an interval is two CSV fields).
export interface Column<R> {
  readonly header: string;
  readonly align: 'left' | 'right';
  readonly text: (row: R) => string;
  readonly csv: readonly (readonly [string, (row: R) => CsvCell])[];
}

const DASH = '–';

const fixed = (value: number | null, digits: number): string => (value === null || !Number.isFinite(value) ? DASH : value.toFixed(digits));

// A text column (left-aligned).
export function textColumn<R>(header: string, csvName: string, get: (row: R) => string | null): Column<R> {
  return { header, align: 'left', text: (row) => get(row) ?? DASH, csv: [[csvName, get]] };
}

// A number shown with `digits` decimals (null as "–").
export function numberColumn<R>(header: string, csvName: string, get: (row: R) => number | null, digits: number): Column<R> {
  return { header, align: 'right', text: (row) => fixed(get(row), digits), csv: [[csvName, get]] };
}

// A 95% interval "low–high"; two CSV fields `<csvBase>_low`, `<csvBase>_high`.
export function intervalColumn<R>(header: string, csvBase: string, get: (row: R) => readonly [number, number] | null, digits: number): Column<R> {
  return {
    header,
    align: 'right',
    text: (row) => {
      const interval = get(row);
      return interval === null ? DASH : `${interval[0].toFixed(digits)}–${interval[1].toFixed(digits)}`;
    },
    csv: [[`${csvBase}_low`, (row) => get(row)?.[0] ?? null], [`${csvBase}_high`, (row) => get(row)?.[1] ?? null]],
  };
}

// A signed difference "+0.012" / "-3.40" (null as "–").
export function deltaColumn<R>(header: string, csvName: string, get: (row: R) => number | null, digits: number, scale = 1): Column<R> {
  return {
    header,
    align: 'right',
    text: (row) => {
      const raw = get(row);
      if (raw === null) return DASH;
      const value = raw * scale;
      return `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
    },
    csv: [[csvName, get]],
  };
}

// A ratio "×0.81".
export function ratioColumn<R>(header: string, csvName: string, get: (row: R) => number): Column<R> {
  return { header, align: 'right', text: (row) => (Number.isFinite(get(row)) ? `×${get(row).toFixed(2)}` : DASH), csv: [[csvName, get]] };
}

// A fraction shown as a percentage "12.5%".
export function percentColumn<R>(header: string, csvName: string, get: (row: R) => number | null, digits = 1): Column<R> {
  return { header, align: 'right', text: (row) => { const value = get(row); return value === null ? DASH : `${(value * 100).toFixed(digits)}%`; }, csv: [[csvName, get]] };
}

// Bytes shown in kB (1000 bytes), raw bytes in CSV.
export function kilobytesColumn<R>(header: string, csvName: string, get: (row: R) => number): Column<R> {
  return { header, align: 'right', text: (row) => (get(row) / 1000).toFixed(1), csv: [[csvName, get]] };
}

// A rate in bits/s: raw bits/s in CSV, `text` in tables (Mbit/s, or what sets it).
export function rateColumn<R>(header: string, csvName: string, get: (row: R) => number | null, text: (row: R) => string): Column<R> {
  return { header, align: 'right', text, csv: [[csvName, get]] };
}
