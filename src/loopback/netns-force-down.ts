// The last-chance, synchronous form of netns-down.ts, for process exit (a second Ctrl-C during
// `loopback up --netns`, when nothing asynchronous can finish): kills what runs in our namespaces and the
// recorded sshds by pid, removes the recorded tc objects, namespaces and veths with bounded spawnSync
// calls. Best effort and never throws; the state files are removed only when every namespace went, so
// the next `up` or `down` finishes whatever is left. Called through netns-up.ts's teardown (onExit).
// Also removes the tc probe namespaces of wdmoe processes killed mid-probe (at the start of `up`).
import { readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { execa } from 'execa';
import { planTcRemoval, probeNamespaceOf, type TcState } from '../links/index.js';
import { isOurSshd } from './netns-sshd.js';
import type { NetnsState } from './netns-state.js';

const COMMAND_TIMEOUT_MS = 2000;

function run(file: string, args: readonly string[]): { ok: boolean; stdout: string; stderr: string } {
  const result = spawnSync(file, args, { timeout: COMMAND_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  return { ok: result.status === 0, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

// Removes the tc probe namespaces (links/tc-detect.ts) of wdmoe processes that were killed mid-probe:
// `wdmoe-probe-<pid>` whose pid is gone.
export async function removeDeadProbeNamespaces(): Promise<void> {
  const listed = await execa('ip', ['netns', 'list'], { reject: false, timeout: COMMAND_TIMEOUT_MS, stdin: 'ignore' });
  for (const line of String(listed.stdout).split('\n')) {
    const pid = Number(/^wdmoe-probe-(\d+)\b/.exec(line)?.[1] ?? 0);
    if (pid > 0 && !isRunning(pid)) await execa('ip', ['netns', 'del', probeNamespaceOf(pid)], { reject: false, timeout: COMMAND_TIMEOUT_MS, stdin: 'ignore' });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Removes what `stateFile` lists, synchronously; returns whether every namespace is gone.
export function forceNetnsDownSync(stateFile: string): boolean {
  const state = readJson<NetnsState>(stateFile);
  if (state === undefined || !Array.isArray(state.namespaces)) return true;
  for (const netns of state.namespaces) {
    for (const word of run('ip', ['netns', 'pids', netns]).stdout.split(/\s+/)) {
      const pid = Number(word);
      if (pid > 0 && pid !== process.pid) kill(pid);
    }
  }
  for (const sshd of state.sshd) if (isOurSshd(sshd.pid, sshd.config)) kill(sshd.pid);
  const tc = readJson<TcState>(state.tcStateFile);
  for (const command of planTcRemoval(tc?.objects ?? [])) run(command.file, command.args);
  let isClean = true;
  for (const netns of state.namespaces) {
    const result = run('ip', ['netns', 'del', netns]);
    if (!result.ok && !/No such file|Cannot remove|not found/i.test(result.stderr)) isClean = false;
  }
  for (const veth of state.veths) run('ip', ['link', 'del', veth]);
  if (isClean) {
    rmSync(state.tcStateFile, { force: true });
    rmSync(state.dir, { recursive: true, force: true });
    rmSync(stateFile, { force: true });
  }
  return isClean;
}
