// The report as CSV for a spreadsheet: one block per section, separated by a blank line; each block's
// first column is `table` (the section id) so a filter on it splits the blocks. RFC 4180 quoting, "\n"
// line ends, full-precision numbers, units in the headers. Notes are not data: report-runs.ts sends
// them to stderr. Called by report-runs.ts; returns a string.

import type { CsvCell } from './cells.js';
import type { Report } from './report-types.js';
import { reportSections } from './sections.js';

// Quotes a field that holds a comma, quote or newline, doubling inner quotes; null is empty.
export function encodeCsvField(value: CsvCell): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

// Ends with a newline.
export function renderReportCsv(report: Report): string {
  const blocks = reportSections(report).map((section) => [
    ['table', ...section.csvHeaders].map(encodeCsvField).join(','),
    ...section.csv.map((row) => [section.id, ...row].map(encodeCsvField).join(',')),
  ].join('\n'));
  return `${blocks.join('\n\n')}\n`;
}
