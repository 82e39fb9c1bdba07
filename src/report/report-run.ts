// `wdmoe report runs/<id>`: recompute the summary from a run's records and write it as JSON,
// Markdown and CSV beside them. Reads only the run folder (docs/records.md).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT_BAD_INPUT, WdmoeError } from '../core/index.js';
import { RUN_FILES, readRunMeta, summarizeRunDir, writeSummary, type Summary } from '../records/index.js';
import { renderSummaryCsv } from './csv.js';
import { renderSummaryMarkdown } from './markdown.js';

export interface RunReport {
  runDir: string;
  summary: Summary;
  warnings: string[];
  files: string[];
}

// Summarises a run folder and writes summary.json, summary.md and summary.csv into it.
export async function reportRun(runDir: string): Promise<RunReport> {
  const dir = path.resolve(runDir);
  if (!existsSync(path.join(dir, RUN_FILES.results))) {
    throw new WdmoeError('report-no-run', `${runDir} holds no ${RUN_FILES.results}`, { exitCode: EXIT_BAD_INPUT, hint: 'pass a run folder written by `wdmoe bench` (runs/<id>)' });
  }
  readRunMeta(dir); // refuses a run folder of a newer format than this wdmoe reads
  const { summary, warnings } = summarizeRunDir(dir);
  const files = [path.join(dir, RUN_FILES.summary), path.join(dir, 'summary.md'), path.join(dir, 'summary.csv')];
  writeSummary(files[0]!, summary);
  await writeFile(files[1]!, renderSummaryMarkdown(summary));
  await writeFile(files[2]!, renderSummaryCsv(summary));
  return { runDir: dir, summary, warnings, files };
}
