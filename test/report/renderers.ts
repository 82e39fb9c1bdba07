// A small report whose policy label needs quoting and escaping (commas, a pipe, quotes), built in memory,
// for the csv, markdown and table rendering tests.
import { buildReport } from '../../src/report/build-report.js';
import type { Report } from '../../src/report/report-types.js';
import { folderWith, layerLine } from './helpers.js';

export const AWKWARD_POLICY = 'w,d|moe "x"';

export function awkwardReport(): Report {
  const lines = [0, 1, 2, 3].map((i) => layerLine(i, { newer: true, policy: AWKWARD_POLICY }));
  const folder = folderWith(lines, AWKWARD_POLICY);
  return buildReport([{ ...folder, notes: ['no summary.json: the run did not finish; figures come from results.jsonl'] }], { baseline: null });
}
