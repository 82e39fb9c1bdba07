// run.json: the run folder's identity card — format and the version of every record file, what was run
// (datasets, policies, task, model, testbed), and when. Written when a run starts; checked by --resume
// and by report before reading anything else. Called by bench/run.ts and report.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { testbedToJson, type Testbed } from '../testbed/index.js';
import { RecordsError } from './errors.js';
import { LAYERS_FORMAT_VERSION } from './layer-log.js';
import { RUN_FILES } from './run-files.js';

export const RUN_FORMAT = 'wdmoe-run';
export const RUN_FORMAT_VERSION = 1;

export const runMetaSchema = z.strictObject({
  format: z.literal(RUN_FORMAT),
  formatVersion: z.number().int().positive(),
  files: z.strictObject({                   // format version of each record file
    results: z.number().int().positive(),
    scores: z.number().int().positive(),
    layers: z.number().int().positive(),
    summary: z.number().int().positive(),
  }),
  createdAt: z.string(),                    // ISO 8601, first start of the run
  resumedAt: z.array(z.string()),           // ISO 8601, each --resume
  task: z.enum(['multiple-choice', 'generate']),
  datasets: z.array(z.string()),
  policies: z.array(z.string()),
  model: z.string(),                        // bundle name
  testbed: z.string(),                      // testbed file as given
  limit: z.number().int().positive().nullable(),
  tool: z.string(),                         // "wdmoe <version>"
  // What the records depend on besides task and model; --resume refuses a run whose setup differs.
  setup: z.strictObject({
    placement: z.string(),
    shaping: z.string(),
    seed: z.number().int(),
    testbedSha256: z.string(),              // fingerprintTestbed: what the records depend on
    manifestSha256: z.string(),             // of the bundle's manifest.json (which holds every file's sha256)
  }).optional(),
});
export type RunMeta = z.infer<typeof runMetaSchema>;

// The sha256 of what a run's records depend on in its resolved testbed: devices, links, profiles, placement,
// BS, timeouts, shaping, model. Not where the file lies or how its path was spelt, not the YAML line each
// setting came from (a comment added above it moves them), not the auth token: none of these changes a result,
// so --resume from another folder or with an absolute path, or after such an edit, carries on.
export function fingerprintTestbed(testbed: Testbed): string {
  const { file: _file, sources: _sources, auth: _auth, ...resolved } = testbedToJson(testbed);
  return createHash('sha256').update(JSON.stringify(resolved)).digest('hex');
}

// A fresh run.json for a new run, with the current format versions.
export function createRunMeta(what: Pick<RunMeta, 'task' | 'datasets' | 'policies' | 'model' | 'testbed' | 'limit' | 'tool' | 'setup'>, now = new Date()): RunMeta {
  return {
    format: RUN_FORMAT,
    formatVersion: RUN_FORMAT_VERSION,
    files: { results: 1, scores: 1, layers: LAYERS_FORMAT_VERSION, summary: 1 },
    createdAt: now.toISOString(),
    resumedAt: [],
    ...what,
  };
}

// Writes `<dir>/run.json` atomically (temp file + rename).
export function writeRunMeta(dir: string, meta: RunMeta): void {
  const file = join(dir, RUN_FILES.meta);
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(runMetaSchema.parse(meta), null, 2)}\n`);
  renameSync(temp, file);
}

// Reads `<dir>/run.json`, or null when the folder has none (a fresh folder).
export function readRunMeta(dir: string): RunMeta | null {
  const file = join(dir, RUN_FILES.meta);
  if (!existsSync(file)) return null;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RecordsError(file, undefined, `not valid JSON: ${(error as Error).message}`);
  }
  const version = (value as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version > RUN_FORMAT_VERSION) {
    throw new RecordsError(file, undefined, `run format version ${version} is newer than this wdmoe reads (${RUN_FORMAT_VERSION})`,
      'upgrade wdmoe, or start a fresh run with a new --out');
  }
  const checked = runMetaSchema.safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new RecordsError(file, undefined, `field "${issue.path.join('.')}": ${issue.message}`);
  }
  return checked.data;
}

// Why `existing` cannot be resumed as `wanted` (another task, model, testbed, placement, shaping or seed), or
// null. Other datasets or policies are fine: --resume runs what is missing and adds them to run.json.
export function checkResumable(existing: RunMeta, wanted: Pick<RunMeta, 'task' | 'model' | 'setup'>): string | null {
  if (existing.task !== wanted.task) return `the run is a ${existing.task} run, not ${wanted.task}`;
  if (existing.model !== wanted.model) return `the run used model ${existing.model}, not ${wanted.model}`;
  const before = existing.setup;
  const now = wanted.setup;
  if (before === undefined || now === undefined) return null;
  if (before.manifestSha256 !== now.manifestSha256) return 'the model bundle changed since the run started (manifest.json differs)';
  if (before.testbedSha256 !== now.testbedSha256) return 'the testbed changed since the run started (links, devices, placement or timeouts differ)';
  for (const key of ['placement', 'shaping', 'seed'] as const) {
    if (before[key] !== now[key]) return `the run used --${key} ${before[key]}, not ${now[key]}`;
  }
  return null;
}
