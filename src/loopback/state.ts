// The loopback state file: which agent processes `loopback up` (or bench) started for a testbed,
// so `down`, the next `up` and bench can find them — never by process name (no pkill).
// Lives at <stateDir>/loopback-<testbed name>-<hash of its path>.json.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
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

// Path of the state file for a testbed file.
export function stateFilePath(stateDir: string, testbedFile: string, testbedName: string): string {
  const hash = createHash('sha256').update(path.resolve(testbedFile)).digest('hex').slice(0, 10);
  const safeName = testbedName.replace(/[^A-Za-z0-9_.-]/g, '_');
  return path.join(stateDir, `loopback-${safeName}-${hash}.json`);
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
export async function writeState(file: string, state: LoopbackState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(tmp, file);
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
