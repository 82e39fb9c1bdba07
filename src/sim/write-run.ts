// `wdmoe simulate --out DIR`: a simulated run as a run folder `wdmoe report` reads, in bench's layout
// (docs/records.md, docs/sim.md "Run folders"): run.json (task `simulate`), policies.json, summary.json of the
// same shape as bench's, simulation.json (the full report) — and for one synthetic run results.jsonl (one line
// per batch × policy, dataset `synthetic`, id `batch-N`, prediction/gold/correct null: nothing was scored) and
// testbed.yaml when the devices are the testbed's own; for a sweep sweep.json + sweep.csv and summary groups
// per (value, policy) (dataset `devices=16`, …). Called by cli/commands/simulate.ts; never by bench.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { writeFileAtomicSync, writeJsonAtomicSync } from '../core/index.js';
import path from 'node:path';
import { stringify } from 'yaml';
import { resolvePolicies, type ResolvedPolicy } from '../policy/index.js';
import { createRunMeta, encodeSweepFile, openResultsWriter, SWEEP_FORMAT, SWEEP_FORMAT_VERSION, RUN_FILES, summarizeResults, writeRunMeta, writeSummary, type ResultRecord } from '../records/index.js';
import { assertValidTestbed, testbedToJson } from '../testbed/index.js';
import { SimError } from './errors.js';
import { encodeSweepCsv, sweepPointLabel, type Sweep, type SweepPoint } from './sweep.js';
import type { SyntheticOptions, SyntheticReport } from './synthetic.js';

export const SYNTHETIC_DATASET = 'synthetic';

// Three decimals of a millisecond, as bench records them.
const round = (ms: number) => Math.round(ms * 1000) / 1000;

// The results.jsonl lines of one synthetic report, every batch of every policy, under `dataset`.
export function resultRecordsOf(report: SyntheticReport, dataset: string): ResultRecord[] {
  return report.policies.flatMap((policy) => policy.batches.map((batch, index) => ({
    dataset, id: `batch-${index}`, policy: policy.policy, prediction: null, gold: null, correct: null, n_tokens: report.tokens,
    latency_ms: {
      total: round(batch.totalMs),
      breakdown: { bs_compute: round(batch.bsComputeMs), uplink: round(batch.uplinkMs), device_compute: round(batch.deviceComputeMs), downlink: round(batch.downlinkMs), other: round(batch.otherMs) },
    },
    experts: { used: batch.kept, dropped: batch.dropped },
  })));
}

// Refuses an --out folder that holds files (a run folder is never overwritten): checked before simulating too.
export function assertNewRunDir(dir: string, cwd: string): void {
  const out = path.resolve(cwd, dir);
  if (existsSync(out) && readdirSync(out).length > 0) throw new SimError('out-exists', `--out ${dir}: the folder exists and is not empty`, 'give a new folder, e.g. --out runs/sim-<name>');
}

function createRunDir(dir: string): void {
  assertNewRunDir(dir, '/');
  mkdirSync(dir, { recursive: true });
}

// policies.json: label → definition, parameters and source, as bench records them (report's policies table).
async function writePolicies(dir: string, labels: readonly string[], cwd: string, seed: number): Promise<void> {
  const resolved: ResolvedPolicy[] = await resolvePolicies(labels, { cwd });
  const records = Object.fromEntries(resolved.map((policy, i) => [labels[i]!, {
    policy: policy.name, description: policy.description,
    ...(policy.source.kind === 'builtin' ? { source: 'builtin' } : { source: 'module', file: policy.source.file, sha256: policy.source.sha256 }),
    params: { ...policy.params }, seed,
  }]));
  writeJsonAtomicSync(path.join(dir, RUN_FILES.policies), records);
}

function writeMeta(dir: string, options: SyntheticOptions, datasets: readonly string[], labels: readonly string[], model: string, tool: string): void {
  writeRunMeta(dir, createRunMeta({ task: 'simulate', datasets: [...datasets], policies: [...labels], model, testbed: options.testbedPath, limit: null, tool }));
}

// Writes one synthetic run's folder; returns its absolute path.
export async function writeSyntheticRun(dir: string, options: SyntheticOptions, report: SyntheticReport, tool: string): Promise<string> {
  const out = path.resolve(options.cwd, dir);
  createRunDir(out);
  const labels = report.policies.map((policy) => policy.policy);
  writeMeta(out, options, [SYNTHETIC_DATASET], labels, report.model.name, tool);
  // The testbed table is true only of the testbed's own devices, links and profiles.
  const isOwnSetup = options.devices === null && options.profile === null && options.bandwidthHz === null && options.distanceM === null;
  if (isOwnSetup) {
    const { testbed } = await assertValidTestbed(options.testbedPath);
    writeFileAtomicSync(path.join(out, RUN_FILES.testbed), stringify(testbedToJson(testbed)));
  }
  await writePolicies(out, labels, options.cwd, options.seed);
  const records = resultRecordsOf(report, SYNTHETIC_DATASET);
  const writer = openResultsWriter(path.join(out, RUN_FILES.results));
  try {
    for (const record of records) writer.append(record);
  } finally {
    writer.close();
  }
  writeSummary(path.join(out, RUN_FILES.summary), summarizeResults(records));
  writeJsonAtomicSync(path.join(out, RUN_FILES.simulation), report);
  return out;
}

// Writes a sweep's folder (no results.jsonl: report draws the sweep from sweep.json); returns its absolute path.
export async function writeSweepRun(dir: string, options: SyntheticOptions, sweep: Sweep, points: readonly SweepPoint[], tool: string): Promise<string> {
  const out = path.resolve(options.cwd, dir);
  createRunDir(out);
  const labels = [...new Set(points.flatMap((point) => point.report.policies.map((policy) => policy.policy)))];
  const datasets = points.map((point) => sweepPointLabel(sweep.parameter, point.value));
  writeMeta(out, options, datasets, labels, points[0]?.report.model.name ?? 'unknown', tool);
  await writePolicies(out, labels, options.cwd, options.seed);
  const records = points.flatMap((point) => resultRecordsOf(point.report, sweepPointLabel(sweep.parameter, point.value)));
  writeSummary(path.join(out, RUN_FILES.summary), summarizeResults(records));
  const rows = points.flatMap((point) => [...point.rows]);
  const simulation = { testbed: options.testbedPath, model: points[0]?.report.model ?? null, tokens: options.tokens, batches: options.batches, seed: options.seed, devices: options.devices, profile: options.profile };
  writeFileAtomicSync(path.join(out, RUN_FILES.sweep), encodeSweepFile({ format: SWEEP_FORMAT, formatVersion: SWEEP_FORMAT_VERSION, parameter: sweep.parameter, values: [...sweep.values], simulation, rows }));
  writeFileAtomicSync(path.join(out, RUN_FILES.sweepCsv), `${encodeSweepCsv(rows)}\n`);
  return out;
}
