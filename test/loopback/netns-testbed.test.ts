// The derived testbed of `loopback up --netns`: mode ssh, namespace addresses, generated keys and
// known_hosts, shaping tc, the same placement/model/token; it validates, and delay without netem is reported.
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
    'defaults: { link: { uplink: { rate: 10mbit, delay: 3ms }, downlink: { rate: 20mbit } } }',
    'devices:', '  - { name: a, port: 47100 }', '  - { name: b, port: 47101, link: { uplink: { delay: 0ms } } }',
    'timeouts: { connect: 4s, request: 9s }', '',
  ].join('\n'));
  const { testbed: source } = await assertValidTestbed(sourceFile);
  writeFileSync(path.join(dir, 'token'), 'derived-token-0123456789abcdef\n');
  const { yaml, droppedDelay } = renderDerivedTestbed({
    source, run: 'ab12', devices: [{ name: 'a', address: '10.213.1.2' }, { name: 'b', address: '10.213.1.6' }],
    clientKey: path.join(dir, 'client_key'), knownHosts: path.join(dir, 'known_hosts'), tokenFile: path.join(dir, 'token'), devicesDir: path.join(dir, 'devices'), hasNetem: false,
  });
  assert.deepEqual(droppedDelay, ['a']);
  assert.match(yaml, /no netem: the source's delay\/jitter\/loss of a are not emulated/);
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
  assert.deepEqual(testbed.devices.map((d) => [d.link.uplink.rateBitsPerSec, d.link.uplink.delayMs, d.link.downlink.rateBitsPerSec]), [[10e6, 0, 20e6], [10e6, 0, 20e6]]);
  assert.deepEqual([...testbed.placement], [...source.placement]);
  assert.deepEqual(testbed.timeouts, source.timeouts);
});
