// `wdmoe loopback down --netns`: removes what the state file lists — processes still inside our
// namespaces (agents a teardown missed; found with `ip netns pids`, i.e. by namespace, never by name),
// the sshds (by recorded pid, checked against /proc), tc objects (tc-apply's state file), namespaces,
// host-side veths, and the folder with keys and the derived testbed. Bounded; also used by `up` to
// clean a crashed run. Called by cli/commands/loopback.ts and netns-up.ts.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { execa } from 'execa';
import { sleep } from '../core/index.js';
import { removeTcObjects } from '../links/index.js';
import { LoopbackError } from './errors.js';
import { stopSshd } from './netns-sshd.js';
import { readNetnsState, removeNetnsState, type NetnsState } from './netns-state.js';

export interface NetnsDownResult {
  readonly removed: boolean;
  readonly namespaces: readonly string[];
  readonly processesStopped: number;
}

const COMMAND_TIMEOUT_MS = 15_000;

// Removes everything the state file records; a missing state file removes nothing.
export async function netnsDown(options: { stateFile: string }): Promise<NetnsDownResult> {
  const state = await readNetnsState(options.stateFile);
  if (state === undefined) return { removed: false, namespaces: [], processesStopped: 0 };
  const processesStopped = await stopNamespaceProcesses(state);
  await Promise.all(state.sshd.map((sshd) => stopSshd(sshd.pid, sshd.config)));
  await removeTcObjects(state.tcStateFile);
  const failures: string[] = [];
  for (const netns of state.namespaces) {
    const result = await execa('ip', ['netns', 'del', netns], { reject: false, timeout: COMMAND_TIMEOUT_MS, stdin: 'ignore' });
    if (result.exitCode !== 0 && !/No such file|Cannot remove|not found/i.test(String(result.stderr))) failures.push(`netns ${netns}: ${String(result.stderr).trim()}`);
  }
  for (const veth of state.veths) {
    // Deleting the namespace destroys the veth pair; a host end without a peer (crash mid-setup) goes here.
    await execa('ip', ['link', 'del', veth], { reject: false, timeout: COMMAND_TIMEOUT_MS, stdin: 'ignore' });
  }
  if (failures.length > 0) {
    throw new LoopbackError('netns-down-failed', `could not remove ${failures.join('; ')}`, { hint: `the state stays in ${options.stateFile}; run loopback down --netns again` });
  }
  await rm(state.dir, { recursive: true, force: true });
  await removeNetnsState(options.stateFile);
  return { removed: true, namespaces: state.namespaces, processesStopped };
}

// Stops the processes inside our namespaces other than our sshds (TERM, 3 s, KILL); returns how many.
async function stopNamespaceProcesses(state: NetnsState): Promise<number> {
  const sshdPids = new Set(state.sshd.map((sshd) => sshd.pid));
  const pids: number[] = [];
  for (const netns of state.namespaces) {
    const result = await execa('ip', ['netns', 'pids', netns], { reject: false, timeout: COMMAND_TIMEOUT_MS, stdin: 'ignore' });
    if (result.exitCode !== 0) continue;
    for (const word of String(result.stdout).split(/\s+/)) {
      const pid = Number(word);
      if (pid > 0 && !sshdPids.has(pid) && pid !== process.pid) pids.push(pid);
    }
  }
  for (const pid of pids) signal(pid, 'SIGTERM');
  for (let i = 0; i < 150 && pids.some(isAlive); i++) await sleep(20);
  for (const pid of pids.filter(isAlive)) signal(pid, 'SIGKILL');
  for (let i = 0; i < 50 && pids.some(isAlive); i++) await sleep(20);
  return pids.length;
}

function isAlive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
