// Splits loaded runs into series — one per (run, policy) — in the order runs were given and policies first
// appear, and names them: the policy label alone for one run, `<run>/<policy>` for several.
// Pure; called by build-report.ts and the plot data builders.

import type { ResultRecord } from '../records/index.js';
import type { RunFolder } from './run-folder.js';
import type { SeriesRef } from './report-types.js';

export interface Series {
  readonly ref: SeriesRef;
  readonly folder: RunFolder;
  readonly results: readonly ResultRecord[]; // this policy's results in the run, deduplicated
}

// Every (run, policy) series of `runs`.
export function splitSeries(runs: readonly RunFolder[]): Series[] {
  const several = runs.length > 1;
  return runs.flatMap((folder) => {
    const byPolicy = new Map<string, ResultRecord[]>();
    for (const record of folder.results) {
      const members = byPolicy.get(record.policy);
      if (members === undefined) byPolicy.set(record.policy, [record]);
      else members.push(record);
    }
    return [...byPolicy].map(([policy, results]) => ({
      ref: { run: folder.label, policy, series: several ? `${folder.label}/${policy}` : policy },
      folder,
      results,
    }));
  });
}

// Distinct values in order of first appearance.
export function inOrder(values: Iterable<string>): string[] {
  return [...new Set(values)];
}
