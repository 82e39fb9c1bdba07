// Builds the Report (report-types.ts) from loaded run folders: every table's rows and the runs' notes.
// Pure; called by report-runs.ts. Renderers (table, markdown, csv, html) only format what this returns.

import { accuracyRows } from './accuracy.js';
import { comparisonRows, resolveBaseline } from './compare.js';
import { deviceLoadRows } from './device-load.js';
import { expertsRows } from './experts.js';
import { generationRows } from './generation.js';
import { breakdownRows, latencyRows } from './latency.js';
import { policyRows } from './policies.js';
import { REPORT_FORMAT, REPORT_FORMAT_VERSION, type Report, type RunInfo } from './report-types.js';
import type { RunFolder } from './run-folder.js';
import { inOrder, splitSeries } from './series.js';
import { sweepRows } from './sweep.js';
import { energyRows, setupNotes, setupRows } from './setup.js';

function runInfo(folder: RunFolder): RunInfo {
  return {
    label: folder.label,
    dir: folder.dir,
    task: folder.meta?.task ?? null,
    model: folder.meta?.model ?? null,
    testbed: folder.testbed?.name ?? folder.meta?.testbed ?? null,
    created_at: folder.meta?.createdAt ?? null,
    datasets: folder.sweep === null ? inOrder(folder.results.map((record) => record.dataset)) : folder.meta?.datasets ?? [],
    policies: folder.sweep === null ? inOrder(folder.results.map((record) => record.policy)) : inOrder(folder.sweep.map((row) => row.policy)),
    items: folder.results.length,
    policy_params: folder.policyParams,
    notes: folder.notes,
  };
}

// The report of `runs` (at least one); `baseline` is --baseline (null: topk, else the first series).
export function buildReport(runs: readonly RunFolder[], options: { baseline: string | null }): Report {
  const series = splitSeries(runs);
  const baseline = resolveBaseline(series, options.baseline);
  const comparison = baseline === null ? [] : comparisonRows(series, baseline);
  const setup = setupRows(runs);
  // A series sharing no dataset with the baseline has no comparison row: say so in its run's notes.
  const uncompared = baseline === null ? [] : series.filter((one) => !comparison.some((row) => row.series === one.ref.series));
  const comparisonNotes = (label: string): string[] => uncompared.filter((one) => one.ref.run === label)
    .map((one) => `${one.ref.policy} shares no dataset with the baseline ${baseline!.ref.series}: left out of the comparison`);
  return {
    format: REPORT_FORMAT,
    formatVersion: REPORT_FORMAT_VERSION,
    baseline: baseline?.ref.series ?? null,
    runs: runs.map((folder) => {
      const info = runInfo(folder);
      return { ...info, notes: [...info.notes, ...setupNotes(folder, setup), ...comparisonNotes(folder.label)] };
    }),
    accuracy: accuracyRows(series),
    latency: latencyRows(series),
    breakdown: breakdownRows(series),
    experts: expertsRows(series),
    devices: deviceLoadRows(series),
    generation: generationRows(series),
    comparison,
    policies: policyRows(series),
    testbeds: runs.flatMap((folder) => (folder.testbed === null ? [] : [{ run: folder.label, ...folder.testbed }])),
    sweep: sweepRows(runs),
    setup,
    energy: energyRows(series),
  };
}
