// The state file of a netns loopback: every object `loopback up --netns` created (namespaces, veths,
// sshd pids, the folder with keys and the derived testbed, the tc state file), written after each
// creation so `down` — or the next `up` after a crash — removes exactly those. Never by name matching.
// <stateDir>/netns-<testbed name>-<hash of its path>.json. Called by netns-up.ts / netns-down.ts.
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { writeJsonAtomicSync } from '../core/index.js';
import path from 'node:path';

export interface NetnsState {
  formatVersion: 1;
  testbed: string; // the source testbed, absolute
  run: string;
  dir: string; // keys, sshd configs, token, derived testbed
  derivedTestbed: string;
  tcStateFile: string;
  namespaces: string[];
  veths: string[]; // host-side ends
  sshd: Array<{ device: string; netns: string; pid: number; config: string }>;
  // Each device as set up (what `up` needs to re-apply tc after a teardown removed it).
  devices?: Array<{ name: string; netns: string; hostVeth: string; ifb: string; address: string }>;
  // Digest of what the derived testbed was made from (devices, links, placement, model, token, timeouts).
  sourceDigest?: string;
  // Loss is dropped by nftables in each namespace (tc state file: nft-table objects), not left to bench.
  isLossByNftables?: boolean;
}

// Path of the netns state file for a source testbed.
export function netnsStatePath(stateDir: string, testbedFile: string, testbedName: string): string {
  const hash = createHash('sha256').update(path.resolve(testbedFile)).digest('hex').slice(0, 10);
  return path.join(stateDir, `netns-${testbedName.replace(/[^A-Za-z0-9_.-]/g, '_')}-${hash}.json`);
}

export async function readNetnsState(file: string): Promise<NetnsState | undefined> {
  try {
    const json = JSON.parse(await readFile(file, 'utf8')) as NetnsState;
    return json.formatVersion === 1 && Array.isArray(json.namespaces) ? json : undefined;
  } catch {
    return undefined;
  }
}

// Writes atomically (tmp + rename).
export async function writeNetnsState(file: string, state: NetnsState): Promise<void> {
  writeJsonAtomicSync(file, state);
}

export async function removeNetnsState(file: string): Promise<void> {
  await rm(file, { force: true });
}
