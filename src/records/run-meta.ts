// run.json: the run folder's identity card — format and the version of every record file, what was run
// (datasets, policies, task, model, testbed), and when. Written when a run starts; checked by --resume
// and by report before reading anything else. Called by bench/run.ts and report.

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomicSync } from '../core/index.js';
import { testbedToJson, type Testbed } from '../testbed/index.js';
import { RecordsError } from './errors.js';
import { readJsonFile } from './json-read.js';
import { LAYERS_FORMAT_VERSION } from './layer-log.js';
import { RUN_FILES } from './run-files.js';
import { DEVICE_EVENTS_FORMAT_VERSION } from './device-events.js';

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
    deviceEvents: z.number().int().positive().optional(), // absent in runs from before device-events.jsonl
  }),
  createdAt: z.string(),                    // ISO 8601, first start of the run
  resumedAt: z.array(z.string()),           // ISO 8601, each --resume
  task: z.enum(['multiple-choice', 'generate', 'simulate']), // simulate: written by `wdmoe simulate --out`
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
  // What produced the records (issue 11 item 6): the BS host, its runtime and dependency versions, and the
  // git commit of the wdmoe checkout (null: not a git checkout). Written at the first start.
  environment: z.strictObject({
    node: z.string(),
    platform: z.string(),
    arch: z.string(),
    os: z.string(),
    dependencies: z.record(z.string(), z.string().nullable()), // package → installed version (null: not installed)
    gitCommit: z.string().nullable(),
    isGitDirty: z.boolean().nullable(),
  }).optional(),
});
export type RunMeta = z.infer<typeof runMetaSchema>;

// The sha256 of what a run's records depend on in its resolved testbed: devices, links, profiles, placement,
// BS, timeouts, shaping, model. Not where the file lies or how its path was spelt, not the YAML line each
// setting came from (a comment added above it moves them), not the auth token: none of these changes a result,
// so --resume from another folder or with an absolute path, or after such an edit, carries on.
export function fingerprintTestbed(testbed: Testbed): string {
  return createHash('sha256').update(JSON.stringify(recordedPart(testbedToJson(testbed)))).digest('hex');
}

// The part of a resolved testbed (testbedToJson) that fingerprintTestbed hashes.
function recordedPart(resolved: Record<string, unknown>): Record<string, unknown> {
  const { file: _file, sources: _sources, auth: _auth, ...rest } = resolved;
  return rest;
}

// Where two resolved testbeds (testbedToJson; a run folder keeps the one it started with in testbed.yaml)
// differ in what fingerprintTestbed hashes: up to `limit` settings, each `path: <then> then, <now> now`,
// list entries named by their `name` (`devices[jetson-1].link.uplink.rateBitsPerSec: 20000000 then, …`).
export function describeTestbedChanges(before: Record<string, unknown>, now: Record<string, unknown>, limit = 3): string[] {
  const changes: string[] = [];
  const show = (value: unknown) => {
    const text = value === undefined ? 'unset' : JSON.stringify(value);
    return text.length > 48 ? `${text.slice(0, 45)}…` : text;
  };
  const walk = (a: unknown, b: unknown, at: string): void => {
    if (changes.length > limit) return;
    if (Array.isArray(a) && Array.isArray(b)) {
      const named = [...a, ...b].every((entry) => typeof (entry as { name?: unknown } | null)?.name === 'string');
      if (named) {
        const names = [...new Set([...a, ...b].map((entry) => (entry as { name: string }).name))];
        for (const name of names) walk(a.find((e) => e.name === name), b.find((e) => e.name === name), `${at}[${name}]`);
      } else {
        for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${at}[${i}]`);
      }
      return;
    }
    const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
    if (isRecord(a) && isRecord(b)) {
      for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])]) walk(a[key], b[key], at === '' ? key : `${at}.${key}`);
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) changes.push(`${at}: ${show(a)} then, ${show(b)} now`);
  };
  // Compared as JSON data, as the run folder's YAML copy reads back.
  walk(JSON.parse(JSON.stringify(recordedPart(before))), JSON.parse(JSON.stringify(recordedPart(now))), '');
  return changes.length > limit ? [...changes.slice(0, limit), 'and more'] : changes;
}

// A fresh run.json for a new run, with the current format versions.
export function createRunMeta(what: Pick<RunMeta, 'task' | 'datasets' | 'policies' | 'model' | 'testbed' | 'limit' | 'tool' | 'setup' | 'environment'>, now = new Date()): RunMeta {
  return {
    format: RUN_FORMAT,
    formatVersion: RUN_FORMAT_VERSION,
    files: { results: 1, scores: 1, layers: LAYERS_FORMAT_VERSION, summary: 1, deviceEvents: DEVICE_EVENTS_FORMAT_VERSION },
    createdAt: now.toISOString(),
    resumedAt: [],
    ...what,
  };
}

// Writes `<dir>/run.json` atomically (temp file + rename).
export function writeRunMeta(dir: string, meta: RunMeta): void {
  writeJsonAtomicSync(join(dir, RUN_FILES.meta), runMetaSchema.parse(meta));
}

// Reads `<dir>/run.json`, or null when the folder has none (a fresh folder).
export function readRunMeta(dir: string): RunMeta | null {
  const file = join(dir, RUN_FILES.meta);
  const value = readJsonFile(file);
  if (value === undefined) return null;
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
// `testbedChanges` (describeTestbedChanges) names the settings that differ when the testbed changed.
export function checkResumable(existing: RunMeta, wanted: Pick<RunMeta, 'task' | 'model' | 'setup'>, testbedChanges: readonly string[] = []): string | null {
  if (existing.task !== wanted.task) return `the run is a ${existing.task} run, not ${wanted.task}`;
  if (existing.model !== wanted.model) return `the run used model ${existing.model}, not ${wanted.model}`;
  const before = existing.setup;
  const now = wanted.setup;
  if (before === undefined || now === undefined) return null;
  if (before.manifestSha256 !== now.manifestSha256) return 'the model bundle changed since the run started (manifest.json differs)';
  if (before.testbedSha256 !== now.testbedSha256) {
    const what = testbedChanges.length > 0 ? testbedChanges.join('; ') : 'links, devices, placement or timeouts differ';
    return `the testbed changed since the run started (${what})`;
  }
  for (const key of ['placement', 'shaping', 'seed'] as const) {
    if (before[key] !== now[key]) return `the run used --${key} ${before[key]}, not ${now[key]}`;
  }
  return null;
}
