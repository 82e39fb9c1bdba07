// The run folder of `wdmoe bench`: where it is (--out, a new runs/<timestamp>, or with --resume the newest
// run), and what is written into it before the first item — run.json, the resolved testbed, the model's
// manifest, policies.json (every policy's label, definition, parameters and module sha256). On --resume it
// checks the folder holds the same kind of run and that a policy label already recorded still means the
// same policy. Called by bench/run.ts.
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { EXIT_BAD_INPUT, WdmoeError, writeFileAtomicSync, writeJsonAtomicSync } from '../core/index.js';
import type { GenItem, LoadedDataset, McItem } from '../datasets/index.js';
import type { ResolvedPolicy } from '../policy/index.js';
import { RUN_FILES, checkResumable, createRunMeta, describeTestbedChanges, fingerprintTestbed, readRunMeta, writeRunMeta } from '../records/index.js';
import { testbedToJson, type Testbed } from '../testbed/index.js';
import type { BenchOptions } from './run.js';
import { collectEnvironment } from './environment.js';

// The run folder: --out, or a new runs/<timestamp>, or with --resume and no --out the newest run.
export async function resolveRunDir(options: BenchOptions): Promise<string> {
  if (options.outDir !== null) return path.resolve(options.outDir);
  if (options.resume) {
    const runs = existsSync(options.runsDir) ? (await readdir(options.runsDir)).filter((name) => existsSync(path.join(options.runsDir, name, RUN_FILES.meta))).sort() : [];
    const newest = runs.at(-1);
    if (newest === undefined) {
      throw new WdmoeError('bench-nothing-to-resume', `--resume: no run with a ${RUN_FILES.meta} in ${options.runsDir}`, { exitCode: EXIT_BAD_INPUT, hint: 'pass --out DIR to name the run folder to resume' });
    }
    return path.resolve(options.runsDir, newest);
  }
  return path.resolve(options.runsDir, new Date().toISOString().replace(/[:.]/g, '-'));
}

function hasRecords(runDir: string): boolean {
  const file = path.join(runDir, RUN_FILES.results);
  return existsSync(file) && statSync(file).size > 0;
}

// Creates or checks the run folder and writes its metadata (run.json, testbed, manifest, policies).
export async function prepareRunDir(runDir: string, options: BenchOptions, testbed: Testbed, policies: readonly ResolvedPolicy[], datasets: readonly LoadedDataset<McItem | GenItem>[]): Promise<void> {
  const labels = policies.map((policy) => policy.label);
  const model = path.basename(testbed.modelDir);
  const recorded = readRunMeta(runDir);
  // A folder whose run recorded nothing (it failed before its first item) is simply started again.
  const existing = recorded !== null && !options.resume && !hasRecords(runDir) ? null : recorded;
  if (existing !== null && !options.resume) {
    throw new WdmoeError('bench-run-exists', `run folder ${runDir} already holds a run`, { exitCode: EXIT_BAD_INPUT, hint: 'pass --resume to carry on with it, or choose another --out' });
  }
  if (existsSync(runDir) && !statSync(runDir).isDirectory()) {
    throw new WdmoeError('bench-out-not-a-folder', `--out ${runDir} exists and is not a folder`, { exitCode: EXIT_BAD_INPUT, hint: 'choose another --out' });
  }
  await mkdir(runDir, { recursive: true });
  const setup = {
    placement: options.placement,
    shaping: options.shaping,
    seed: options.seed,
    testbedSha256: fingerprintTestbed(testbed),
    manifestSha256: createHash('sha256').update(await readFile(path.join(testbed.modelDir, 'manifest.json'))).digest('hex'),
  };
  if (existing !== null) {
    const problem = checkResumable(existing, { task: options.task, model, setup }, existing.setup?.testbedSha256 === setup.testbedSha256 ? [] : testbedChangesSince(runDir, testbed));
    if (problem !== null) {
      throw new WdmoeError('bench-cannot-resume', `cannot resume ${runDir}: ${problem}`, {
        exitCode: EXIT_BAD_INPUT, hint: `resume with the testbed, model and flags the run started with (its resolved testbed: ${path.join(runDir, RUN_FILES.testbed)}), or start a new run with another --out`,
      });
    }
    existing.resumedAt.push(new Date().toISOString());
    existing.datasets = [...new Set([...existing.datasets, ...datasets.map((d) => d.name)])];
    const recorded = readPolicyRecords(runDir);
    for (const policy of policies) {
      const before = recorded[policy.label];
      const now = policyRecord(policy, options);
      if (before !== undefined && JSON.stringify(before) !== JSON.stringify(now)) {
        throw new WdmoeError('bench-cannot-resume', `cannot resume ${runDir}: policy ${policy.label} is not the policy recorded under that name (${describeChange(before, now)})`, {
          exitCode: EXIT_BAD_INPUT, hint: 'resume with the same policy (module, parameters), or start a new run with another --out',
        });
      }
    }
    existing.policies = [...new Set([...existing.policies, ...labels])];
    writeRunMeta(runDir, existing);
    await writePolicies(runDir, { ...recorded, ...Object.fromEntries(policies.map((policy) => [policy.label, policyRecord(policy, options)])) });
    return;
  }
  writeRunMeta(runDir, createRunMeta({ task: options.task, datasets: datasets.map((d) => d.name), policies: labels, model, testbed: options.testbedPath, limit: options.limit, tool: options.tool, setup, environment: collectEnvironment() }));
  writeFileAtomicSync(path.join(runDir, RUN_FILES.testbed), stringify(testbedToJson(testbed)));
  writeFileAtomicSync(path.join(runDir, RUN_FILES.manifest), await readFile(path.join(testbed.modelDir, 'manifest.json')));
  await writePolicies(runDir, Object.fromEntries(policies.map((policy) => [policy.label, policyRecord(policy, options)])));
}

// The settings that differ between the testbed a run started with (its testbed.yaml) and `testbed`; none
// when the folder has no readable copy (the message then stays general).
function testbedChangesSince(runDir: string, testbed: Testbed): string[] {
  try {
    const before = parse(readFileSync(path.join(runDir, RUN_FILES.testbed), 'utf8')) as unknown;
    if (typeof before !== 'object' || before === null) return [];
    return describeTestbedChanges(before as Record<string, unknown>, testbedToJson(testbed));
  } catch {
    return [];
  }
}

// What policies.json holds for one policy (docs/records.md "policies.json").
export interface PolicyRecord {
  policy: string; // the definition's name (built-in or the module's)
  description: string;
  source: 'builtin' | 'module';
  file?: string; // module only: its absolute path
  sha256?: string; // module only: of the file's bytes when the run started
  params: Record<string, number | boolean>;
  placement: string;
  shaping: string;
  seed: number;
}

// The record of `policy` in this run.
export function policyRecord(policy: ResolvedPolicy, options: Pick<BenchOptions, 'placement' | 'shaping' | 'seed'>): PolicyRecord {
  const source = policy.source.kind === 'builtin' ? { source: 'builtin' as const } : { source: 'module' as const, file: policy.source.file, sha256: policy.source.sha256 };
  return { policy: policy.name, description: policy.description, ...source, params: { ...policy.params }, placement: options.placement, shaping: options.shaping, seed: options.seed };
}

function describeChange(before: PolicyRecord, now: PolicyRecord): string {
  if (before.sha256 !== now.sha256) return `module changed: sha256 ${String(before.sha256).slice(0, 12)}… then, ${String(now.sha256).slice(0, 12)}… now`;
  if (JSON.stringify(before.params) !== JSON.stringify(now.params)) return `parameters ${JSON.stringify(before.params)} then, ${JSON.stringify(now.params)} now`;
  return 'its definition changed';
}

// policies.json of a run folder (empty when there is none).
export function readPolicyRecords(runDir: string): Record<string, PolicyRecord> {
  const file = path.join(runDir, RUN_FILES.policies);
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, PolicyRecord>;
  } catch (error) {
    throw new WdmoeError('run-records', `${file}: not valid JSON: ${(error as Error).message}`, { exitCode: EXIT_BAD_INPUT, hint: 'start a new run with another --out', cause: error });
  }
}

// policies.json: the resolved definition and parameters of every policy the run holds.
async function writePolicies(runDir: string, records: Record<string, PolicyRecord>): Promise<void> {
  writeJsonAtomicSync(path.join(runDir, RUN_FILES.policies), records);
}
