// Reads one run folder for the report through records/ (never bench/): run.json, results, scores,
// generations, layers, testbed.yaml, policies.json. What is old or half-finished becomes a note, not a
// crash; a missing folder or one with no finished item is a ReportError (exit 2). Called by report-runs.ts.

import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  LAYERS_FORMAT_VERSION, RUN_FILES, readDeviceSetup, readItemEnergy, RecordsError, readDeviceEvents, readGenerations, readItemScores, readLayerLog, readResults, readRunMeta, readSweepFile, resultKey,
  type ResultRecord, type RunMeta,
} from '../records/index.js';
import { ReportError } from './errors.js';
import type { LayerLine, RunFolder } from './run-folder.js';
import { parseTestbedView } from './testbed-view.js';
import { deviceLossNotes } from './device-loss.js';

const RUN_HINT = 'pass a run folder written by `wdmoe bench` (runs/<id>)';

// The last line per key, in order of first appearance (a re-run item counts once, as in summary.json).
function latestResults(records: readonly ResultRecord[]): ResultRecord[] {
  const latest = new Map<string, ResultRecord>();
  for (const record of records) latest.set(resultKey(record.dataset, record.policy, record.id), record);
  return [...latest.values()];
}

// Notes for a run that stopped part-way: (dataset, policy) pairs run.json names with no results, and
// datasets whose policies hold different numbers of items.
function completenessNotes(meta: RunMeta | null, results: readonly ResultRecord[], dir: string): string[] {
  const counts = new Map<string, Map<string, number>>();
  for (const record of results) {
    const perPolicy = counts.get(record.dataset) ?? new Map<string, number>();
    perPolicy.set(record.policy, (perPolicy.get(record.policy) ?? 0) + 1);
    counts.set(record.dataset, perPolicy);
  }
  const notes: string[] = [];
  const resume = `carry on with \`wdmoe bench <testbed> --resume --out ${dir}\``;
  for (const dataset of meta?.datasets ?? []) {
    const missing = (meta?.policies ?? []).filter((policy) => !(counts.get(dataset)?.has(policy) ?? false));
    if (missing.length > 0) notes.push(`half-finished: no results for dataset ${dataset} under ${missing.join(', ')} (${resume})`);
  }
  for (const [dataset, perPolicy] of counts) {
    const sizes = new Set(perPolicy.values());
    if (sizes.size > 1) notes.push(`half-finished: dataset ${dataset} has ${[...perPolicy].map(([policy, n]) => `${n} item${n === 1 ? '' : 's'} under ${policy}`).join(', ')}; compare policies on it with care (${resume})`);
  }
  return notes;
}

function readLayers(dir: string, meta: RunMeta | null, finished: ReadonlySet<string>, notes: string[]): LayerLine[] | null {
  const file = path.join(dir, RUN_FILES.layers);
  if (!existsSync(file)) {
    // A simulated run has no layer log by design (the simulation note says what it is).
    if (meta?.task !== 'simulate') notes.push(`no ${RUN_FILES.layers}: per-device load and the per-layer plot are left out`);
    return null;
  }
  const version = meta?.files.layers ?? 1;
  if (version > LAYERS_FORMAT_VERSION) {
    notes.push(`${RUN_FILES.layers} is format ${version}, newer than this wdmoe reads (${LAYERS_FORMAT_VERSION}): per-device load left out; upgrade wdmoe`);
    return null;
  }
  try {
    // Lines of an item killed before its results line are not counted (the --resume pruning, read-only).
    return readLayerLog(file).filter((line) => finished.has(resultKey(line.dataset, line.policy, line.id)));
  } catch (error) {
    if (!(error instanceof RecordsError)) throw error;
    notes.push(`${RUN_FILES.layers} left out: ${error.message}`);
    return null;
  }
}

function readPolicyParams(dir: string, notes: string[]): Record<string, unknown> | null {
  const file = path.join(dir, RUN_FILES.policies);
  if (!existsSync(file)) return null;
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    notes.push(`${RUN_FILES.policies} is not a JSON object: policy parameters left out`);
  } catch (error) {
    notes.push(`${RUN_FILES.policies} left out: not valid JSON (${(error as Error).message})`);
  }
  return null;
}

function readTestbed(dir: string, meta: RunMeta | null, notes: string[]): RunFolder['testbed'] {
  const file = path.join(dir, RUN_FILES.testbed);
  if (!existsSync(file)) {
    notes.push(meta?.task === 'simulate'
      ? `simulated devices made from ${meta.testbed} (--devices, --profile or a swept channel): the testbed table is left out`
      : `no ${RUN_FILES.testbed}: the testbed table is left out`);
    return null;
  }
  const view = parseTestbedView(readFileSync(file, 'utf8'));
  if ('problem' in view) {
    notes.push(`${RUN_FILES.testbed} not understood (${view.problem}): the testbed table is left out`);
    return null;
  }
  return view.testbed;
}

// A simulated sweep (sweep.json, no results.jsonl): its rows are the report; no per-item tables.
function loadSweepRun(dir: string, label: string, meta: RunMeta | null, rows: RunFolder['sweep']): RunFolder {
  const notes = [`a simulated sweep (wdmoe simulate --sweep): latency per value and policy in the sweep table and plot`];
  return { dir, label, meta, results: [], scores: [], generations: [], layers: null, testbed: readTestbed(dir, meta, notes), policyParams: readPolicyParams(dir, notes), sweep: rows, deviceSetup: [], energy: [], notes };
}

// Reads `runDir` (as typed by the user: errors name it so); `label` names the run in tables.
export function loadRun(runDir: string, label: string): RunFolder {
  const dir = path.resolve(runDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ReportError('report-no-run', `${runDir}: no such run folder`, RUN_HINT);
  const sweep = readSweepFile(dir); // a malformed sweep.json is a RecordsError naming the field (exit 2)
  if (sweep !== null && !existsSync(path.join(dir, RUN_FILES.results))) return loadSweepRun(dir, label, readRunMeta(dir), sweep.rows);
  if (!existsSync(path.join(dir, RUN_FILES.results))) throw new ReportError('report-no-run', `${runDir} holds no ${RUN_FILES.results}`, RUN_HINT);
  const meta = readRunMeta(dir); // refuses a run of a newer format than this wdmoe reads (RecordsError, exit 2)
  const notes: string[] = [];
  if (meta === null) notes.push(`no ${RUN_FILES.meta}: an older run folder, read as format 1`);
  const read = readResults(path.join(runDir, RUN_FILES.results)); // notes name the file as the user typed the folder
  notes.push(...read.warnings.map((warning) => `half-finished: ${warning}`));
  const results = latestResults(read.records);
  if (results.length === 0) {
    throw new ReportError('report-no-run', `${runDir} holds no finished item yet (${RUN_FILES.results} is empty)`, `wait for \`wdmoe bench\` to finish an item, or ${RUN_HINT}`);
  }
  if (meta?.task === 'simulate') notes.push(`simulated by wdmoe simulate: an item is one batch of ${results[0]!.n_tokens} tokens through every layer; nothing is scored, so there is no accuracy`);
  if (!existsSync(path.join(dir, RUN_FILES.summary))) notes.push(`no ${RUN_FILES.summary}: the run did not finish; figures come from ${RUN_FILES.results}`);
  notes.push(...completenessNotes(meta, results, runDir));
  const finished = new Set(results.map((record) => resultKey(record.dataset, record.policy, record.id)));
  notes.push(...deviceLossNotes(readDeviceEvents(path.join(dir, RUN_FILES.deviceEvents))));
  return {
    dir,
    label,
    meta,
    results,
    scores: readItemScores(path.join(dir, RUN_FILES.scores)).filter((score) => finished.has(resultKey(score.dataset, score.policy, score.id))),
    generations: readGenerations(path.join(dir, RUN_FILES.generations)),
    layers: readLayers(dir, meta, finished, notes),
    testbed: readTestbed(dir, meta, notes),
    policyParams: readPolicyParams(dir, notes),
    sweep: null,
    deviceSetup: readDeviceSetup(path.join(dir, RUN_FILES.devices)),
    energy: readItemEnergy(path.join(dir, RUN_FILES.energy)).filter((line) => finished.has(resultKey(line.dataset, line.policy, line.id))),
    notes,
  };
}
