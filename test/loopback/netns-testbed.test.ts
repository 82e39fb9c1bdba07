// The derived testbed of `loopback up --netns`: mode ssh, namespace addresses, generated keys and
// known_hosts, shaping tc, the same placement/model/token, each device's runtime, python, execution provider
// and power mode; it validates; delay and jitter are kept (bench adds them
// in userspace), loss only where nftables does not drop packets for it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { renderDerivedTestbed } from '../../src/loopback/netns-testbed.js';
import { assertValidTestbed } from '../../src/testbed/index.js';

test('the derived testbed validates and keeps devices, rates, placement and timeouts', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wdmoe-derived-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sourceFile = path.join(dir, 'source.yaml');
  writeFileSync(sourceFile, [
    'name: src', 'mode: loopback', 'auth: { token: derived-token-0123456789abcdef }',
    'defaults: { link: { uplink: { rate: 10mbit, delay: 3ms, jitter: 1ms }, downlink: { rate: 20mbit, loss: 0.01 } } }',
    'devices:', '  - { name: a, port: 47100 }', '  - { name: b, port: 47101, link: { uplink: { delay: 0ms } } , runtime: python, python: venv/bin/python, execution_provider: cpu, power_mode: 15W }',
    'timeouts: { connect: 4s, request: 9s }', '',
  ].join('\n'));
  const { testbed: source } = await assertValidTestbed(sourceFile);
  writeFileSync(path.join(dir, 'token'), 'derived-token-0123456789abcdef\n', { mode: 0o600 });
  const input = {
    source, run: 'ab12', devices: [{ name: 'a', address: '10.213.1.2' }, { name: 'b', address: '10.213.1.6' }],
    clientKey: path.join(dir, 'client_key'), knownHosts: path.join(dir, 'known_hosts'), tokenFile: path.join(dir, 'token'), devicesDir: path.join(dir, 'devices'),
  };
  const { yaml, nftablesLoss } = renderDerivedTestbed({ ...input, isLossByNftables: true });
  assert.deepEqual(nftablesLoss, ['a', 'b']);
  assert.match(yaml, /loss of a, b is real packet drops by nftables/);
  // Without nftables the loss stays for bench's userspace model (and validation says it is a model).
  const modelled = renderDerivedTestbed({ ...input, isLossByNftables: false });
  assert.deepEqual(modelled.nftablesLoss, []);
  const modelledFile = path.join(dir, 'modelled.yaml');
  writeFileSync(modelledFile, modelled.yaml);
  const withLoss = await assertValidTestbed(modelledFile);
  assert.deepEqual(withLoss.testbed.devices.map((d) => d.link.downlink.lossRate), [0.01, 0.01]);
  assert.match(withLoss.warnings.map((w) => w.message).join('\n'), /loss of a, b is the userspace shaper's model/);
  const derivedFile = path.join(dir, 'testbed.yaml');
  writeFileSync(derivedFile, yaml);
  const { testbed, warnings } = await assertValidTestbed(derivedFile);
  assert.deepEqual(warnings, []);
  assert.equal(testbed.mode, 'ssh');
  assert.equal(testbed.shaping, 'tc');
  assert.equal(testbed.auth.token, source.auth.token);
  assert.deepEqual(testbed.devices.map((d) => [d.name, d.host, d.port, d.ssh.user, d.ssh.port, d.ssh.knownHostsPath]), [
    ['a', '10.213.1.2', 47100, 'root', 22, path.join(dir, 'known_hosts')],
    ['b', '10.213.1.6', 47101, 'root', 22, path.join(dir, 'known_hosts')],
  ]);
  assert.deepEqual(testbed.devices.map((d) => [d.link.uplink.rateBitsPerSec, d.link.uplink.delayMs, d.link.uplink.jitterMs, d.link.downlink.rateBitsPerSec, d.link.downlink.lossRate]),
    [[10e6, 3, 1, 20e6, 0], [10e6, 0, 1, 20e6, 0]]);
  assert.deepEqual(testbed.devices.map((d) => [d.runtime, d.python, d.executionProvider, d.isCpuFallbackAllowed, d.powerMode]), [
    ['node', null, 'auto', false, 'MAXN'],
    ['python', path.join(dir, 'venv/bin/python'), 'cpu', false, '15W'], // the source's path, resolved against its YAML file
  ]);
  assert.deepEqual([...testbed.placement], [...source.placement]);
  assert.deepEqual(testbed.timeouts, source.timeouts);
});
