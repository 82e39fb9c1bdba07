// The summary as a GitHub-flavoured Markdown table (runs/<id>/summary.md, README figures).
// Called by report; returns a string.

import type { Summary } from '../records/index.js';
import { columnsFor, formatCell } from './summary-columns.js';

const escapeCell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

// One header row, one alignment row, one row per (dataset, policy) group; ends with a newline.
export function renderSummaryMarkdown(summary: Summary): string {
  const columns = columnsFor(summary.groups);
  const header = `| ${columns.map((column) => column.header).join(' | ')} |`;
  const align = `| ${columns.map((column) => (column.align === 'right' ? '---:' : ':---')).join(' | ')} |`;
  const rows = summary.groups.map((group) => `| ${columns.map((column) => escapeCell(formatCell(column, group))).join(' | ')} |`);
  return `${[header, align, ...rows].join('\n')}\n`;
}
