// The summary as CSV (RFC 4180: comma-separated, CRLF-free "\n" lines, fields quoted when needed), with
// full-precision numbers and unit-bearing headers. Called by report; returns a string.

import type { Summary } from '../records/index.js';
import { columnsFor } from './summary-columns.js';

// Quotes a field that holds a comma, quote or newline, doubling inner quotes.
export function encodeCsvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// Header line + one line per group; acc_norm empty when null; ends with a newline.
export function renderSummaryCsv(summary: Summary): string {
  const columns = columnsFor(summary.groups);
  const header = columns.map((column) => column.csvHeader).join(',');
  const rows = summary.groups.map((group) => columns.map((column) => encodeCsvField(column.value(group))).join(','));
  return `${[header, ...rows].join('\n')}\n`;
}
