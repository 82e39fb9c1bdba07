// Preflight: node missing or too old, an unsupported architecture, too little disk or memory — each
// names the device and the fix. The probe's key=value output is parsed as the device prints it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkPreflight, formatBytes, parseProbe, resolveDeviceArch } from '../../src/deploy/preflight.js';

const MiB = 1024 * 1024;
const probeText = (fields: Record<string, string>) =>
  Object.entries({ home: '/home/nvidia', dir: '/home/nvidia/.wdmoe', node: '/usr/bin/node', nodeVersion: 'v20.11.1', arch: 'aarch64', diskFreeKb: String(10 * 1024 * 1024), memAvailableKb: String(4 * 1024 * 1024), ...fields })
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
const needs = { uploadBytes: 70 * MiB, shardBytes: 8 * MiB };

test('a Jetson with node 20, disk and memory passes; aarch64 maps to the arm64 bundle', () => {
  const probe = parseProbe(probeText({}));
  assert.equal(checkPreflight(probe, 'jetson-0', needs), undefined);
  assert.equal(resolveDeviceArch(probe, 'jetson-0'), 'arm64');
  assert.equal(resolveDeviceArch(parseProbe(probeText({ arch: 'x86_64' })), 'pc'), 'x64');
  assert.equal(probe.manifest, undefined);
  assert.equal(probe.agent, undefined);
});

const failing: Array<{ name: string; fields: Record<string, string>; code: string; message: RegExp; hint: RegExp }> = [
  { name: 'node missing', fields: { node: '', nodeVersion: '' }, code: 'preflight-no-node', message: /^device jetson-0: node is not installed/, hint: /install Node\.js ≥ 20/ },
  { name: 'node 18', fields: { nodeVersion: 'v18.19.0' }, code: 'preflight-old-node', message: /node v18\.19\.0 at \/usr\/bin\/node is too old \(need ≥ 20\)/, hint: /install Node\.js ≥ 20/ },
  { name: 'disk too small', fields: { diskFreeKb: String(20 * 1024) }, code: 'preflight-disk', message: /only 20 MB free in \/home\/nvidia\/\.wdmoe, the upload needs 77 MB/, hint: /agent_dir/ },
  { name: 'memory too small', fields: { memAvailableKb: String(64 * 1024) }, code: 'preflight-memory', message: /only 64 MB of memory available/, hint: /place fewer experts/ },
];
for (const entry of failing) {
  test(`preflight refuses: ${entry.name}`, () => {
    const problem = checkPreflight(parseProbe(probeText(entry.fields)), 'jetson-0', needs);
    assert.equal(problem?.code, entry.code);
    assert.equal(problem?.phase, 'preflight');
    assert.match(problem?.message ?? '', entry.message);
    assert.match(problem?.hint ?? '', entry.hint);
  });
}

test('an unsupported architecture is refused with exit 2', () => {
  assert.throws(() => resolveDeviceArch(parseProbe(probeText({ arch: 'riscv64' })), 'board'), (error: Error & { code?: string; exitCode?: number }) => error.code === 'preflight-arch' && error.exitCode === 2 && /riscv64/.test(error.message));
});

test('the remote manifest and a live agent come back from base64 fields', () => {
  const manifest = Buffer.from(JSON.stringify({ formatVersion: 1, files: { 'app/x': { sha256: 'a'.repeat(64), bytes: 1 } } })).toString('base64');
  const agent = Buffer.from('{"pid":4242,"fingerprint":"abc"}').toString('base64');
  const probe = parseProbe(probeText({ manifest, agent, agentPid: '4242' }));
  assert.deepEqual(Object.keys(probe.manifest!.files), ['app/x']);
  assert.deepEqual(probe.agent, { pid: 4242, fingerprint: 'abc' });
  assert.equal(parseProbe(probeText({ agent })).agent, undefined, 'no agentPid: the agent is not running');
});

test('sizes read like 1.5 MB', () => {
  assert.deepEqual([formatBytes(512), formatBytes(1536), formatBytes(70 * MiB), formatBytes(3 * 1024 * MiB)], ['512 B', '1.5 kB', '70 MB', '3.0 GB']);
});
