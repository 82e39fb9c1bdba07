// The report as GitHub-flavoured Markdown: a "###" title and a pipe table per section, then the notes,
// ready to paste into a paper draft or a lab notebook. Called by report-runs.ts; returns a string.

import type { Report } from './report-types.js';
import { reportNotes, reportSections } from './sections.js';

const escapeCell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

// Ends with a newline.
export function renderReportMarkdown(report: Report): string {
  const blocks = reportSections(report).map((section) => [
    `### ${section.title}`,
    '',
    `| ${section.headers.map(escapeCell).join(' | ')} |`,
    `| ${section.aligns.map((align) => (align === 'right' ? '---:' : ':---')).join(' | ')} |`,
    ...section.text.map((row) => `| ${row.map(escapeCell).join(' | ')} |`),
  ].join('\n'));
  const notes = reportNotes(report);
  if (notes.length > 0) blocks.push(['### Notes', '', ...notes.map((note) => `- ${escapeCell(note)}`)].join('\n'));
  return `${blocks.join('\n\n')}\n`;
}
