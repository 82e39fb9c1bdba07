// resolveSshTargets: the testbed YAML beats ~/.ssh/config (Host patterns, first value wins), which beats
// the defaults; bad ssh config values are exit-2 errors that name the file, the host and the fix.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DeployError } from '../../src/deploy/errors.js';
import { resolveSshTargets } from '../../src/deploy/ssh-config.js';
import { assertValidTestbed } from '../../src/testbed/index.js';

async function setup(t: { after: (fn: () => void) => void }, devices: string, sshConfig: string) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wdmoe-sshcfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'lab.yaml');
  writeFileSync(file, ['name: lab', 'mode: ssh', 'auth: { token: lab-token-0123456789abcdef }', 'devices:', devices, ''].join('\n'));
  writeFileSync(path.join(dir, 'config'), sshConfig);
  writeFileSync(path.join(dir, 'id_lab'), 'not a real key');
  const { testbed } = await assertValidTestbed(file);
  return { testbed, source: { file: path.join(dir, 'config'), home: dir, agentSocket: null }, dir };
}

test('Host patterns from ssh config fill what the YAML leaves out; the YAML wins where it speaks', async (t) => {
  const { testbed, source, dir } = await setup(
    t,
    ['  - { name: j0, host: jetson-0 }', '  - { name: j1, host: jetson-1, ssh: { user: root, port: 2201 } }'].join('\n'),
    ['Host jetson-*', '  User nvidia', '  Port 2222', '  IdentityFile ~/id_lab', '  UserKnownHostsFile ~/lab_known_hosts', 'Host jetson-0', '  HostName 10.0.0.10', ''].join('\n'),
  );
  const [j0, j1] = resolveSshTargets(testbed, source);
  assert.deepEqual([j0!.host, j0!.port, j0!.user, j0!.keyPath, j0!.knownHostsPath], ['10.0.0.10', 2222, 'nvidia', path.join(dir, 'id_lab'), path.join(dir, 'lab_known_hosts')]);
  assert.deepEqual(j0!.sources, { host: `${source.file} HostName`, port: source.file, user: source.file, key: source.file, knownHosts: source.file });
  assert.deepEqual([j1!.host, j1!.port, j1!.user], ['jetson-1', 2201, 'root']);
  assert.deepEqual([j1!.sources.port, j1!.sources.user], ['testbed YAML', 'testbed YAML']);
});

test('ProxyJump resolves the jump host from its own Host entry; its key defaults to the device\'s', async (t) => {
  const { testbed, source, dir } = await setup(
    t,
    '  - { name: j0, host: jetson-0, ssh: { user: nvidia } }',
    ['Host jetson-0', '  ProxyJump ops@bastion:2022', 'Host bastion', '  HostName 192.0.2.1', '  IdentityFile ~/id_lab', ''].join('\n'),
  );
  const [j0] = resolveSshTargets(testbed, source);
  assert.deepEqual([j0!.host, j0!.port, j0!.user], ['jetson-0', 22, 'nvidia']);
  assert.deepEqual([j0!.jump?.host, j0!.jump?.port, j0!.jump?.user, j0!.jump?.keyPath, j0!.jump?.knownHostsPath], ['192.0.2.1', 2022, 'ops', path.join(dir, 'id_lab'), j0!.knownHostsPath]);
  assert.equal(j0!.jump?.jump, undefined);
});

test('ProxyJump a,b tunnels through a, then b, each from its own Host entry; a jump host\'s own ProxyJump is followed', async (t) => {
  const { testbed, source, dir } = await setup(
    t,
    ['  - { name: j0, host: jetson-0 }', '  - { name: j1, host: jetson-1 }'].join('\n'),
    ['Host jetson-0', '  ProxyJump ops@gate:2022,inner', 'Host jetson-1', '  ProxyJump inner', 'Host gate', '  HostName 192.0.2.1', 'Host inner', '  HostName 10.1.0.1', '  User lab', '  IdentityFile ~/id_lab', '  ProxyJump gate', ''].join('\n'),
  );
  const [j0, j1] = resolveSshTargets(testbed, source);
  const chain = (target: typeof j0) => {
    const hops: string[] = [];
    for (let hop = target?.jump; hop !== undefined; hop = hop.jump) hops.push(`${hop.user}@${hop.host}:${hop.port}`);
    return hops;
  };
  // jetson-0: the list, in order (the device's jump is the last hop; inner's own ProxyJump is not used for a later hop).
  assert.deepEqual(chain(j0), [`lab@10.1.0.1:22`, 'ops@192.0.2.1:2022']);
  assert.equal(j0!.jump?.keyPath, path.join(dir, 'id_lab'));
  // jetson-1: inner, which itself goes through gate (its own ProxyJump).
  assert.deepEqual(chain(j1), ['lab@10.1.0.1:22', `${os.userInfo().username}@192.0.2.1:22`]);
});

test('no ssh config file: defaults (port 22, ~/.ssh/known_hosts, agent or default keys)', async (t) => {
  const { testbed, source, dir } = await setup(t, '  - { name: j0, host: 10.0.0.10 }', '');
  rmSync(source.file);
  const [j0] = resolveSshTargets(testbed, source);
  assert.deepEqual([j0!.host, j0!.port, j0!.keyPath, j0!.knownHostsPath, j0!.sources.key], ['10.0.0.10', 22, null, path.join(dir, '.ssh', 'known_hosts'), 'ssh agent / default keys']);
});

const badConfigs = [
  { name: 'a Port that is not a number', config: 'Host *\n  Port twenty-two\n', code: 'ssh-config-invalid', message: /config: Port "twenty-two" for host 10\.0\.0\.10/, hint: /Port must be a number/ },
  { name: 'an IdentityFile that does not exist', config: 'Host 10.0.0.*\n  IdentityFile ~/.ssh/missing_key\n', code: 'ssh-config-invalid', message: /config: IdentityFile "~\/\.ssh\/missing_key" for host 10\.0\.0\.10/, hint: /ssh-keygen -f .*missing_key/ },
  { name: 'a ProxyJump with an empty hop', config: 'Host 10.0.0.10\n  ProxyJump a,,b\n', code: 'ssh-proxyjump-invalid', message: /ProxyJump "a,,b" for host 10\.0\.0\.10: a hop is empty/, hint: /comma-separated/ },
  { name: 'a ProxyJump that is not [user@]host[:port]', config: 'Host 10.0.0.10\n  ProxyJump me@bastion:port\n', code: 'ssh-proxyjump-invalid', message: /hop "me@bastion:port": expected \[user@\]host\[:port\]/, hint: /user@bastion:22/ },
  { name: 'jump hosts whose own ProxyJumps loop', config: 'Host 10.0.0.10\n  ProxyJump gw1\nHost gw1\n  ProxyJump gw2\nHost gw2\n  ProxyJump gw1\n', code: 'ssh-proxyjump-invalid', message: /ProxyJump "gw1" for host gw2: the jumps loop: 10\.0\.0\.10 → gw1 → gw2 → gw1/, hint: /leads back/ },
  { name: 'a chain of more than 8 hops', config: 'Host 10.0.0.10\n  ProxyJump h1,h2,h3,h4,h5,h6,h7,h8,h9\n', code: 'ssh-proxyjump-invalid', message: /more than 8 hops/, hint: /shorten/ },
];

for (const entry of badConfigs) {
  test(`bad ssh config: ${entry.name} is a located exit-2 error`, async (t) => {
    const { testbed, source } = await setup(t, '  - { name: j0, host: 10.0.0.10 }', entry.config);
    assert.throws(() => resolveSshTargets(testbed, source), (error: unknown) => {
      assert.ok(error instanceof DeployError);
      assert.equal(error.code, entry.code);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, /^device j0: /);
      assert.match(error.message, entry.message);
      assert.match(error.hint ?? '', entry.hint);
      return true;
    });
  });
}
