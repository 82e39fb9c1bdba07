// deploy() refuses a loopback testbed (exit 2) and reports a device nobody answers for, naming it, while
// the other devices' outcomes are kept. No root needed: the unreachable device is a closed port on 127.0.0.1.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { WdmoeError } from '../../src/core/index.js';
import { deploy, DeployFailedError } from '../../src/deploy/index.js';
import { assertValidTestbed } from '../../src/testbed/index.js';

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function setup(t: { after: (fn: () => void) => void }, lines: string[]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wdmoe-deploy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'lab.yaml');
  writeFileSync(file, [...lines, ''].join('\n'));
  const { testbed } = await assertValidTestbed(file);
  return { testbed, sshConfig: { file: path.join(dir, 'no-ssh-config'), home: dir, agentSocket: null }, dir };
}

test('deploy refuses a loopback testbed with exit 2 and points at loopback up', async (t) => {
  const { testbed, sshConfig } = await setup(t, ['mode: loopback', 'auth: { token: deploy-token-0123456789abcdef }', 'devices:', '  - { name: a }']);
  await assert.rejects(deploy({ testbed, dryRun: true, acceptNew: false, concurrency: 2, sshConfig, hashCacheFile: null }), (error: unknown) => {
    assert.ok(error instanceof WdmoeError);
    assert.equal(error.code, 'deploy-not-ssh');
    assert.equal(error.exitCode, 2);
    assert.match(error.hint ?? '', /loopback up/);
    return true;
  });
});

test('an unreachable device is named with its address and a hint, every device reported', async (t) => {
  const [first, second] = [await closedPort(), await closedPort()];
  const { testbed, sshConfig } = await setup(t, [
    'mode: ssh', 'auth: { token: deploy-token-0123456789abcdef }', 'devices:',
    `  - { name: near, host: 127.0.0.1, ssh: { port: ${first}, user: pi } }`,
    `  - { name: far, host: 127.0.0.1, port: 47101, ssh: { port: ${second}, user: pi } }`,
    'timeouts: { connect: 2s }',
  ]);
  await assert.rejects(deploy({ testbed, dryRun: true, acceptNew: false, concurrency: 2, sshConfig, hashCacheFile: null }), (error: unknown) => {
    assert.ok(error instanceof DeployFailedError);
    assert.deepEqual(error.failures.map((failure) => [failure.device, failure.code, failure.phase]), [['near', 'ssh-refused', 'connect'], ['far', 'ssh-refused', 'connect']]);
    assert.match(error.message, new RegExp(`device near: connection to 127\\.0\\.0\\.1:${first} refused \\(no sshd listening\\)`));
    assert.match(error.message, /hint: start sshd on the device, or fix devices\[near\]\.host/);
    assert.equal(error.exitCode, 1);
    return true;
  });
});
