// `wdmoe report <run>...`: load each run folder, build the report, render it in the asked format and
// write it to --out when given. Also `renderRunTable`, the table `bench` prints when a run ends (the same
// code path as `report <run>`). Reads run folders only, never writes into them. Called by cli/.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildReport } from './build-report.js';
import { renderReportCsv } from './csv.js';
import { renderReportHtml } from './html.js';
import { loadRun } from './load-run.js';
import { renderReportMarkdown } from './markdown.js';
import type { Report } from './report-types.js';
import { reportNotes } from './sections.js';
import { splitSeries } from './series.js';
import { renderReportTable } from './table.js';

export const REPORT_FORMATS = ['table', 'md', 'csv', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportOptions {
  readonly runDirs: readonly string[];   // at least one
  readonly format: ReportFormat;
  readonly outFile: string | null;       // null: the caller prints `text`
  readonly baseline: string | null;      // --baseline; null: topk, else the first series
  readonly color: boolean;               // table headers in colour (a TTY without NO_COLOR)
}

export interface ReportOutput {
  readonly report: Report;
  readonly text: string;                 // the rendering (also written to `file`)
  readonly notes: readonly string[];     // what is missing, old or half-finished (already inside table, md, html, json)
  readonly file: string | null;          // absolute path written, when --out was given
}

// Run labels: each folder's name, made unique with -2, -3, … when two folders share it.
export function labelRuns(runDirs: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return runDirs.map((dir) => {
    const base = path.basename(path.resolve(dir));
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}-${count}`;
  });
}

// Builds and renders the report of `options.runDirs`.
export async function reportRuns(options: ReportOptions): Promise<ReportOutput> {
  const labels = labelRuns(options.runDirs);
  const runs = options.runDirs.map((dir, i) => loadRun(dir, labels[i]!));
  const report = buildReport(runs, { baseline: options.baseline });
  const render: Record<ReportFormat, () => Promise<string> | string> = {
    table: () => renderReportTable(report, { color: options.color && options.outFile === null }),
    md: () => renderReportMarkdown(report),
    csv: () => renderReportCsv(report),
    json: () => `${JSON.stringify(report, null, 2)}\n`,
    html: () => renderReportHtml(report, splitSeries(runs)),
  };
  const text = await render[options.format]();
  let file: string | null = null;
  if (options.outFile !== null) {
    file = path.resolve(options.outFile);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text.endsWith('\n') ? text : `${text}\n`);
  }
  return { report, text, notes: reportNotes(report), file };
}

// The terminal table of one run folder: what `bench` prints at its end, exactly as `report <run>` does.
export async function renderRunTable(runDir: string, options: { color: boolean }): Promise<string> {
  return (await reportRuns({ runDirs: [runDir], format: 'table', outFile: null, baseline: null, color: options.color })).text;
}
