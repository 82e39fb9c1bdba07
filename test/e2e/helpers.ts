// Shared by the end-to-end tests: run the real bin/wdmoe, write small testbeds on free ports in temp
// dirs that remove themselves, and check that no agent process is left behind.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Options, type ResultPromise } from 'execa';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = path.join(ROOT, 'bin/wdmoe');
export const MODEL_DIR = path.join(ROOT, 'models/tiny-mixtral');

// A free TCP port on 127.0.0.1 (the OS picks, we release it at once).
export async function getFreePort(): Promise<number> {
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

// A temp dir removed by `dispose()` (use with try/finally or t.after).
export function tempDir(prefix = 'wdmoe-e2e-'): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

// A copy of the default bundle that a test may corrupt.
export function copyModel(into: string): string {
  const target = path.join(into, 'model');
  cpSync(MODEL_DIR, target, { recursive: true });
  return target;
}

export interface TestbedSpec {
  devices: number;
  mode?: 'loopback' | 'ssh';
  token?: string;
  model?: string;
  link?: string; // YAML flow mapping for defaults.link, e.g. "{ uplink: { rate: 4mbit, delay: 10ms }, downlink: {...} }"
  placement?: string; // YAML for placement
  requestTimeout?: string;
  shaping?: 'userspace' | 'tc' | 'auto';
}

// Writes a testbed YAML with `devices` agents on free ports; device names carry a unique tag so a test
// can find (only) its own agent processes.
export async function writeTestbed(dir: string, spec: TestbedSpec): Promise<{ file: string; ports: number[]; names: string[] }> {
  const tag = path.basename(dir).replace(/[^a-z0-9]/gi, '').slice(-8).toLowerCase();
  const ports: number[] = [];
  for (let i = 0; i < spec.devices; i++) ports.push(await getFreePort());
  const names = ports.map((_, i) => `e2e${tag}-${i}`);
  const yaml = [
    `name: e2e-${tag}`,
    `mode: ${spec.mode ?? 'loopback'}`,
    `model: ${spec.model ?? MODEL_DIR}`,
    'auth:',
    `  token: ${spec.token ?? 'e2e-shared-token-0123456789'}`,
    `shaping: ${spec.shaping ?? 'userspace'}`,
    'defaults:',
    `  link: ${spec.link ?? '{ uplink: { rate: 1gbit, delay: 0ms }, downlink: { rate: 1gbit, delay: 0ms } }'}`,
    'devices:',
    ...names.map((name, i) => `  - { name: ${name}, host: 127.0.0.1, port: ${ports[i]} }`),
    `placement: ${spec.placement ?? 'round-robin'}`,
    'timeouts:',
    '  connect: 5s',
    `  request: ${spec.requestTimeout ?? '10s'}`,
    '',
  ].join('\n');
  const file = path.join(dir, 'testbed.yaml');
  writeFileSync(file, yaml);
  return { file, ports, names };
}

// Runs bin/wdmoe; never rejects (tests assert on exitCode/stderr).
export function runWdmoe(args: readonly string[], options: Options = {}): ResultPromise<Options & { reject: false }> {
  return execa(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 120_000, env: { NO_COLOR: '1' }, ...options, reject: false }) as ResultPromise<Options & { reject: false }>;
}

// Pids of live agent processes whose command line contains `marker` (their device name): the Node
// agent (`wdmoe agent …`) and the Python one (`python -m wdmoe_agent …`, also the child of
// `wdmoe agent --runtime python`).
export function agentPids(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const state = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (/^State:\s+Z/m.test(state)) continue;
      if (isAgentCommand(argv) && argv.some((arg) => arg.includes(marker))) pids.push(Number(entry));
    } catch {
      // process ended while we looked
    }
  }
  return pids;
}

// True for an agent's argv: `… wdmoe agent …` (Node) or `python -m wdmoe_agent …` (Python).
export function isAgentCommand(argv: readonly string[]): boolean {
  return argv.includes('agent') || argv.some((arg, index) => arg === 'wdmoe_agent' && argv[index - 1] === '-m');
}

// Waits (bounded) until no agent of this test is alive; returns the ones still there.
export async function waitForNoAgents(marker: string, timeoutMs = 5000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = agentPids(marker);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = agentPids(marker);
  }
  return left;
}

// Kills any agent of this test still alive (cleanup after a failed assertion).
export function killAgents(marker: string): void {
  for (const pid of agentPids(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

// Reads a JSONL file into objects (throws on a torn line: tests want to see it).
export function readJsonl<T = Record<string, unknown>>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

// The part of a testbed's device names (from writeTestbed) that only its agent processes carry.
export function agentMarker(names: readonly string[]): string {
  return names[0]!.slice(0, -2);
}

// True when `text` holds a JavaScript stack trace ("    at …" lines): user mistakes must not show one.
export function hasStackTrace(text: string): boolean {
  return /^ {4}at /m.test(text);
}

// Number of complete (newline-terminated) lines in `file`; 0 when it does not exist yet.
export function countLines(file: string): number {
  try {
    return readFileSync(file, 'utf8').split('\n').length - 1;
  } catch {
    return 0;
  }
}

// Waits (bounded) until `file` holds at least `count` complete lines; throws naming the file otherwise.
export async function waitForLines(file: string, count: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let lines = countLines(file);
  while (lines < count) {
    if (Date.now() > deadline) throw new Error(`${file}: ${lines} lines after ${timeoutMs} ms, waited for ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    lines = countLines(file);
  }
  return lines;
}

// Awaits a background wdmoe run for at most `timeoutMs`; SIGKILLs it and throws if it hangs.
export async function settleWithin<T>(subprocess: ResultPromise & Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      subprocess.kill('SIGKILL');
      reject(new Error(`${what} did not exit within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([subprocess, hang]);
  } finally {
    clearTimeout(timer);
  }
}

// The (dataset, policy, id) keys of results.jsonl lines, for duplicate checks.
export function resultKeys(lines: ReadonlyArray<Record<string, unknown>>): string[] {
  return lines.map((line) => `${String(line['dataset'])}/${String(line['policy'])}/${String(line['id'])}`);
}
