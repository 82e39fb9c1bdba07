// The terminal table of a run's summary (cli-table3 — imported here and nowhere else in report/).
// Called by cli (after `bench`, and by `report`); returns a string, prints nothing.

import Table from 'cli-table3';
import type { Summary } from '../records/index.js';
import { columnsFor, formatCell } from './summary-columns.js';

// The summary as a boxed table; `color: false` leaves headers uncoloured (NO_COLOR, pipes).
export function renderSummaryTable(summary: Summary, options: { color?: boolean } = {}): string {
  const columns = columnsFor(summary.groups);
  const table = new Table({
    head: columns.map((column) => column.header),
    colAligns: columns.map((column) => column.align),
    style: options.color === true ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] },
  });
  for (const group of summary.groups) table.push(columns.map((column) => formatCell(column, group)));
  return table.toString();
}
