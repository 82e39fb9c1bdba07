// Applies a tc plan (tc-plan.ts) through execa and records every kernel object it creates in a state
// file before creating it, so that removal always finds it: on normal exit, on SIGINT or error (the
// caller's teardown stack calls removeTcObjects), and after a crash (the next start removes what the
// state file still lists). Called by loopback's netns setup and by deploy's teardown. Imports execa and core.
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { writeJsonAtomicSync } from '../core/index.js';
import { TcError } from './tc-errors.js';
import { planTcRemoval, type TcCommand, type TcObject, type TcPlan } from './tc-plan.js';

export interface TcState {
  readonly formatVersion: 1;
  readonly objects: TcObject[];
}

// Runs one ip/tc command; resolves with its exit code and stderr (never rejects on a non-zero exit).
export type TcRunner = (command: TcCommand, signal?: AbortSignal) => Promise<{ exitCode: number; stderr: string }>;

const COMMAND_TIMEOUT_MS = 10_000;

// Where the tc objects shaping a testbed's links are recorded: <stateDir>/tc-<hash of the testbed path>.json
// (`loopback up --netns` writes it; `teardown` and `loopback down` remove what it lists).
export function tcStateFilePath(stateDir: string, testbedFile: string): string {
  return path.join(stateDir, `tc-${createHash('sha256').update(path.resolve(testbedFile)).digest('hex').slice(0, 12)}.json`);
}

// The default runner: the real `ip` / `tc` binaries, bounded by a timeout.
export const runTcCommand: TcRunner = async (command, signal) => {
  const result = await execa(command.file, [...command.args], { reject: false, timeout: COMMAND_TIMEOUT_MS, cancelSignal: signal, stdin: 'ignore' });
  return { exitCode: result.exitCode ?? 1, stderr: String(result.stderr ?? result.message ?? '') };
};

// Runs every command of `plan` in order; each object is written to `stateFile` before it is created.
// On a failing command, the objects this call created are removed again and a TcError names the command.
export async function applyTcPlan(plan: TcPlan, options: { stateFile: string; run?: TcRunner; signal?: AbortSignal }): Promise<void> {
  const run = options.run ?? runTcCommand;
  const created: TcObject[] = [];
  for (const command of plan.commands) {
    if (command.creates !== undefined) {
      await recordObject(options.stateFile, command.creates);
      created.push(command.creates);
    }
    const result = await run(command, options.signal);
    if (result.exitCode !== 0) {
      await removeObjects(created, run);
      await forgetObjects(options.stateFile, created);
      throw new TcError('tc-command-failed', `${command.file} ${command.args.join(' ')} failed: ${result.stderr.trim() || `exit ${result.exitCode}`}`, {
        command: [command.file, ...command.args],
        hint: 'run `wdmoe loopback up --netns` as root; the kernel features it found are listed by tc-detect (docs/deploy.md "tc")',
      });
    }
  }
}

// Removes every object recorded in `stateFile` (newest first) and then the file; objects already gone
// are fine. Returns the objects it removed. Never throws for a missing or unreadable state file.
export async function removeTcObjects(stateFile: string, run: TcRunner = runTcCommand): Promise<TcObject[]> {
  const state = await readTcState(stateFile);
  if (state === undefined) return [];
  const failures = await removeObjects(state.objects, run);
  if (failures.length > 0) {
    throw new TcError('tc-remove-failed', `could not remove ${failures.map((f) => `${f.file} ${f.args.join(' ')}`).join('; ')}`, {
      hint: `the objects stay listed in ${stateFile}; remove them by hand (tc qdisc show) and delete the file`,
    });
  }
  await rm(stateFile, { force: true });
  return state.objects;
}

// Reads a tc state file; undefined when there is none or it is not ours.
export async function readTcState(stateFile: string): Promise<TcState | undefined> {
  try {
    const json = JSON.parse(await readFile(stateFile, 'utf8')) as TcState;
    return json.formatVersion === 1 && Array.isArray(json.objects) ? json : undefined;
  } catch {
    return undefined;
  }
}

// Runs the removal commands; a "no such device/qdisc" answer counts as removed.
async function removeObjects(objects: readonly TcObject[], run: TcRunner): Promise<TcCommand[]> {
  const failures: TcCommand[] = [];
  for (const command of planTcRemoval(objects)) {
    const result = await run(command);
    if (result.exitCode !== 0 && !isAlreadyGone(result.stderr)) failures.push(command);
  }
  return failures;
}

function isAlreadyGone(stderr: string): boolean {
  return /Cannot find device|No such file or directory|Cannot delete qdisc with handle of zero|Invalid handle|does not exist/i.test(stderr);
}

async function recordObject(stateFile: string, object: TcObject): Promise<void> {
  const state = (await readTcState(stateFile)) ?? { formatVersion: 1 as const, objects: [] };
  await writeTcState(stateFile, { formatVersion: 1, objects: [...state.objects, object] });
}

async function forgetObjects(stateFile: string, objects: readonly TcObject[]): Promise<void> {
  const state = await readTcState(stateFile);
  if (state === undefined) return;
  const gone = new Set(objects.map((object) => JSON.stringify(object)));
  const left = state.objects.filter((object) => !gone.has(JSON.stringify(object)));
  if (left.length === 0) await rm(stateFile, { force: true });
  else await writeTcState(stateFile, { formatVersion: 1, objects: left });
}

async function writeTcState(stateFile: string, state: TcState): Promise<void> {
  writeJsonAtomicSync(stateFile, state);
}
