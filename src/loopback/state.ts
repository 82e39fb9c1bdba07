// The loopback state files: which agent processes `loopback up` (or bench) started for a testbed, so
// `down`, the next `up` and bench can find them — never by process name (no pkill). Each agent is written
// the moment it is spawned, so a crash (even SIGKILL) leaves a file listing every agent it started.
// `loopback up`: <stateDir>/loopback-<testbed name>-<hash of its path>.json; the agents bench starts for
// its run: <stateDir>/bench-<name>-<hash>.json (kind 'bench'), removed when the run ends.
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeJsonAtomicSync } from '../core/index.js';
import type { Testbed } from '../testbed/index.js';

export interface LoopbackAgentState {
  name: string;
  host: string;
  port: number;
  pid: number;
  log: string;
}

export interface LoopbackState {
  formatVersion: 1;
  testbed: string;
  // What the running agents were started with (bundle manifest, token, each device's experts and address);
  // agents are reused only when it matches the testbed as it is now.
  fingerprint?: string;
  startedAt: string;
  // The wdmoe process the agents belong to: bench (for its whole run) or `loopback up` (until every agent
  // is ready; then it is dropped and the agents outlive it). A file whose owner is gone is a crash's leftovers.
  ownerPid?: number;
  devices: LoopbackAgentState[];
}

// A digest of what agents for this testbed are started with: the bundle's manifest (which holds every file's
// sha256), a digest of the token, and each device's name, address and experts.
export function agentsFingerprint(testbed: Testbed, experts: (device: string) => readonly string[]): string {
  const manifest = createHash('sha256').update(readFileSync(path.join(testbed.modelDir, 'manifest.json'))).digest('hex');
  const token = createHash('sha256').update(`wdmoe-loopback-token\0${testbed.auth.token}`).digest('hex');
  const devices = testbed.devices.map((device) => ({ name: device.name, host: device.host, port: device.port, experts: experts(device.name) }));
  return createHash('sha256').update(JSON.stringify({ manifest, token, modelDir: testbed.modelDir, devices })).digest('hex');
}

// Path of the state file for a testbed file: `loopback up`'s, or (kind 'bench') that of bench's own agents.
export function stateFilePath(stateDir: string, testbedFile: string, testbedName: string, kind: 'loopback' | 'bench' = 'loopback'): string {
  const hash = createHash('sha256').update(path.resolve(testbedFile)).digest('hex').slice(0, 10);
  const safeName = testbedName.replace(/[^A-Za-z0-9_.-]/g, '_');
  return path.join(stateDir, `${kind}-${safeName}-${hash}.json`);
}

// Reads the state file; undefined when there is none or it is unreadable.
export async function readState(file: string): Promise<LoopbackState | undefined> {
  try {
    const json = JSON.parse(await readFile(file, 'utf8')) as LoopbackState;
    return json.formatVersion === 1 && Array.isArray(json.devices) ? json : undefined;
  } catch {
    return undefined;
  }
}

// Writes the state file atomically (tmp + rename).
export function writeState(file: string, state: LoopbackState): void {
  writeJsonAtomicSync(file, state);
}

// True when the state's owner (ownerPid) is a live wdmoe process other than this one.
export function isOwnerAlive(state: LoopbackState): boolean {
  const pid = state.ownerPid;
  if (pid === undefined || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    if (/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('wdmoe');
  } catch {
    return true; // no /proc (not Linux): trust the liveness check
  }
}

export async function removeState(file: string): Promise<void> {
  await rm(file, { force: true });
}

// True when `pid` is alive and is a wdmoe agent for `device` (checked through /proc, so a
// recycled pid of an unrelated process is never signalled).
export function isOurAgent(pid: number, device: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes('agent') && argv.includes(device);
  } catch {
    // No /proc (not Linux): trust the liveness check.
    return true;
  }
}
