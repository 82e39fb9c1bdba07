// The summary as a GitHub-flavoured Markdown table (runs/<id>/summary.md, README figures).
// Called by report; returns a string.

import type { Summary } from '../bench/index.js';
import { formatCell, SUMMARY_COLUMNS } from './summary-columns.js';

const escapeCell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

// One header row, one alignment row, one row per (dataset, policy) group; ends with a newline.
export function renderSummaryMarkdown(summary: Summary): string {
  const header = `| ${SUMMARY_COLUMNS.map((column) => column.header).join(' | ')} |`;
  const align = `| ${SUMMARY_COLUMNS.map((column) => (column.align === 'right' ? '---:' : ':---')).join(' | ')} |`;
  const rows = summary.groups.map((group) => `| ${SUMMARY_COLUMNS.map((column) => escapeCell(formatCell(column, group))).join(' | ')} |`);
  return `${[header, align, ...rows].join('\n')}\n`;
}
