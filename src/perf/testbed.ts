// A throwaway loopback testbed for `npm run perf`: the default model over N local agents (8: one expert
// per device per layer, like testbeds/loopback.yaml, same 100 mbit + 2 ms links) on free 127.0.0.1
// ports, in a temp dir, with its own loopback state dir. `startPerfTestbed` brings the agents up
// (they need the built dist/ and bin/wdmoe) and registers their stop and the dir's removal on the
// caller's teardown stack. Called by perf/main.ts only.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TeardownStack } from '../core/index.js';
import { loopbackDown, loopbackUp } from '../loopback/index.js';
import { assertValidTestbed, type Testbed } from '../testbed/index.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_MODEL_DIR = path.join(REPO_ROOT, 'models/tiny-mixtral');

export interface PerfTestbed {
  file: string;
  dir: string; // temp dir: testbed.yaml, state/, runs/
  stateDir: string;
  testbed: Testbed;
}

// A free TCP port on 127.0.0.1 (the OS picks one; released at once).
function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// Writes a testbed of `devices` agents (experts placed round-robin: with one device it holds them all),
// starts its agents and returns it; everything it made is undone by `teardown`.
export async function startPerfTestbed(teardown: TeardownStack, devices: number, signal?: AbortSignal): Promise<PerfTestbed> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wdmoe-perf-'));
  teardown.defer('perf temp dir', () => rm(dir, { recursive: true, force: true }));
  const ports: number[] = [];
  while (ports.length < devices) {
    const port = await getFreePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const yaml = [
    'name: perf',
    'mode: loopback',
    `model: ${JSON.stringify(DEFAULT_MODEL_DIR)}`,
    'auth:',
    '  token: perf-insecure-shared-token',
    'shaping: userspace',
    'bs:',
    '  host: 127.0.0.1',
    '  bandwidth: 800mbit',
    'defaults:',
    '  profile: this-host',
    '  link:',
    '    uplink: { rate: 100mbit, delay: 2ms }',
    '    downlink: { rate: 100mbit, delay: 2ms }',
    'devices:',
    ...ports.map((port, i) => `  - { name: perf-${i}, host: 127.0.0.1, port: ${port} }`),
    'placement: round-robin',
    'timeouts:',
    '  connect: 5s',
    '  request: 10s',
    '',
  ].join('\n');
  const file = path.join(dir, 'testbed.yaml');
  await writeFile(file, yaml);
  const { testbed } = await assertValidTestbed(file);
  const stateDir = path.join(dir, 'state');
  teardown.defer('perf agents', async () => {
    await loopbackDown({ testbed, stateDir });
  });
  await loopbackUp({ testbed, stateDir, signal });
  return { file, dir, stateDir, testbed };
}
