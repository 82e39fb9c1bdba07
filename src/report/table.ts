// The report as terminal tables (cli-table3 — imported here and nowhere else in report/): one boxed table
// per section under its title, then the notes. What `report` and the end of `bench` print.
// Called by report-runs.ts; returns a string, prints nothing.

import Table from 'cli-table3';
import type { Report } from './report-types.js';
import { reportNotes, reportSections } from './sections.js';

// `color: false` leaves headers uncoloured (NO_COLOR, pipes).
export function renderReportTable(report: Report, options: { color?: boolean } = {}): string {
  const blocks = reportSections(report).map((section) => {
    const table = new Table({
      head: [...section.headers],
      colAligns: [...section.aligns],
      style: { compact: true, ...(options.color === true ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] }) },
    });
    for (const row of section.text) table.push([...row]);
    return `${section.title}\n${table.toString()}`;
  });
  const notes = reportNotes(report);
  if (notes.length > 0) blocks.push(`Notes\n${notes.map((note) => `- ${note}`).join('\n')}`);
  return blocks.join('\n\n');
}
