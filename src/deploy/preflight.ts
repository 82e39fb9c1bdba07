// Preflight: what a device must have before anything is uploaded — node ≥ 20, a supported
// architecture, disk for the files to upload, memory for its shards. Parses the probe's key=value
// output and checks it; pure. Called by deploy/deploy-device.ts (onnxruntime's load is checked on
// the device right before the agent starts: remote-scripts.ts startScript).
import { EXIT_BAD_INPUT } from '../core/index.js';
import type { DeviceArch } from './bundle.js';
import { DeployError } from './errors.js';
import { parseRemoteManifest, type RemoteManifest } from './plan.js';

export interface DeviceProbe {
  readonly home: string;
  readonly dir: string; // the agent directory, absolute
  readonly node: string | null;
  readonly nodeVersion: string | null;
  readonly arch: string;
  readonly diskFreeBytes: number | null;
  readonly memAvailableBytes: number | null;
  readonly manifest: RemoteManifest | undefined;
  readonly agent: { readonly pid: number; readonly fingerprint: string } | undefined; // only when alive
  readonly python: string | null; // the interpreter's absolute path (probed for runtime: python devices only)
}

const MIN_NODE_MAJOR = 20;
// Headroom: the temp copy sits beside the old file until the rename; onnxruntime needs ~2× a shard.
const DISK_HEADROOM = 1.1;
const MEMORY_PER_SHARD_BYTE = 2;
const AGENT_BASE_MEMORY_BYTES = 128 * 1024 * 1024;

// Parses probeScript's output.
export function parseProbe(stdout: string): DeviceProbe {
  const values = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) values.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  const number = (key: string) => (values.get(key) ?? '') === '' || Number.isNaN(Number(values.get(key))) ? null : Number(values.get(key));
  const base64 = (key: string) => (values.has(key) ? Buffer.from(values.get(key)!, 'base64').toString('utf8') : undefined);
  const agentJson = base64('agent');
  let agent: DeviceProbe['agent'];
  if (values.has('agentPid') && agentJson !== undefined) {
    try {
      const parsed = JSON.parse(agentJson) as { pid: number; fingerprint: string };
      if (parsed.pid === Number(values.get('agentPid'))) agent = parsed;
    } catch {
      agent = undefined;
    }
  }
  const kb = (key: string) => (number(key) === null ? null : number(key)! * 1024);
  return {
    home: values.get('home') ?? '',
    dir: values.get('dir') ?? '',
    node: values.get('node') || null,
    nodeVersion: values.get('nodeVersion') || null,
    arch: values.get('arch') ?? '',
    diskFreeBytes: kb('diskFreeKb'),
    memAvailableBytes: kb('memAvailableKb'),
    manifest: parseRemoteManifest(base64('manifest')),
    agent,
    python: values.get('python') || null,
  };
}

// The bundle architecture for `uname -m`, or a DeployError.
export function resolveDeviceArch(probe: DeviceProbe, device: string): DeviceArch {
  if (probe.arch === 'x86_64' || probe.arch === 'amd64') return 'x64';
  if (probe.arch === 'aarch64' || probe.arch === 'arm64') return 'arm64';
  throw new DeployError('preflight-arch', device, 'preflight', `architecture "${probe.arch || 'unknown'}" is not supported (onnxruntime-node ships x64 and arm64 for Linux)`, {
    exitCode: EXIT_BAD_INPUT,
    hint: 'use an x86_64 or aarch64 (Jetson) Linux device',
  });
}

// Checks node, disk and memory; returns the problem, or undefined when the device can take the upload.
export function checkPreflight(probe: DeviceProbe, device: string, needs: { uploadBytes: number; shardBytes: number }): DeployError | undefined {
  if (probe.node === null) {
    return new DeployError('preflight-no-node', device, 'preflight', 'node is not installed (not on the ssh session\'s PATH)', {
      hint: `install Node.js ≥ ${MIN_NODE_MAJOR} on the device (e.g. NodeSource packages for arm64), and make sure a non-interactive ssh session finds it`,
    });
  }
  const major = Number(/^v(\d+)\./.exec(probe.nodeVersion ?? '')?.[1] ?? NaN);
  if (!(major >= MIN_NODE_MAJOR)) {
    return new DeployError('preflight-old-node', device, 'preflight', `node ${probe.nodeVersion ?? '(unknown version)'} at ${probe.node} is too old (need ≥ ${MIN_NODE_MAJOR})`, {
      hint: `install Node.js ≥ ${MIN_NODE_MAJOR} on the device`,
    });
  }
  return checkResources(probe, device, needs);
}

// Checks disk and memory only (a python device's preflight: python-runtime.ts checks its interpreter).
export function checkResources(probe: DeviceProbe, device: string, needs: { uploadBytes: number; shardBytes: number }): DeployError | undefined {
  const diskNeeded = Math.ceil(needs.uploadBytes * DISK_HEADROOM);
  if (probe.diskFreeBytes !== null && probe.diskFreeBytes < diskNeeded) {
    return new DeployError('preflight-disk', device, 'preflight', `only ${formatBytes(probe.diskFreeBytes)} free in ${probe.dir}, the upload needs ${formatBytes(diskNeeded)}`, {
      hint: 'free space on the device, or point agent_dir at a larger disk',
    });
  }
  const memoryNeeded = AGENT_BASE_MEMORY_BYTES + needs.shardBytes * MEMORY_PER_SHARD_BYTE;
  if (probe.memAvailableBytes !== null && probe.memAvailableBytes < memoryNeeded) {
    return new DeployError('preflight-memory', device, 'preflight', `only ${formatBytes(probe.memAvailableBytes)} of memory available, its experts need about ${formatBytes(memoryNeeded)}`, {
      hint: 'place fewer experts on this device (placement in the testbed), or free memory on it',
    });
  }
  return undefined;
}

// 1.5 MB style sizes for messages and plans.
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
