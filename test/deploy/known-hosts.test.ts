// known_hosts checks: plain, [host]:port, hashed and pattern entries; unknown vs changed; --accept-new appends.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { appendKnownHost, checkHostKey, checkKnownHosts, fingerprintOf, formatKnownHostsLine, hostPatternOf, keyTypeOf } from '../../src/deploy/known-hosts.js';

// An ssh-ed25519 public key blob in wire format: string "ssh-ed25519", string <32 bytes>.
function key(fill: number): Buffer {
  const type = Buffer.from('ssh-ed25519');
  const body = Buffer.alloc(32, fill);
  const out = Buffer.alloc(4 + type.length + 4 + body.length);
  out.writeUInt32BE(type.length, 0);
  type.copy(out, 4);
  out.writeUInt32BE(body.length, 4 + type.length);
  body.copy(out, 8 + type.length);
  return out;
}
const good = key(1);
const other = key(2);
const line = (hosts: string, blob: Buffer) => `${hosts} ssh-ed25519 ${blob.toString('base64')}`;

test('key type and the host field for ports', () => {
  assert.equal(keyTypeOf(good), 'ssh-ed25519');
  assert.equal(hostPatternOf('10.0.0.2', 22), '10.0.0.2');
  assert.equal(hostPatternOf('10.0.0.2', 2222), '[10.0.0.2]:2222');
  assert.match(fingerprintOf(good), /^SHA256:[A-Za-z0-9+/]{43}$/);
});

test('a listed key matches; the same host with another key of that type is changed; an absent host is unknown', () => {
  const text = ['# comment', line('jetson-1,10.0.0.2', good), ''].join('\n');
  assert.deepEqual(checkHostKey(text, '10.0.0.2', 22, good), { status: 'match' });
  assert.deepEqual(checkHostKey(text, '10.0.0.2', 22, other), { status: 'changed', line: 2, keyType: 'ssh-ed25519' });
  assert.deepEqual(checkHostKey(text, '10.0.0.3', 22, good), { status: 'unknown' });
  assert.deepEqual(checkHostKey(text, '10.0.0.2', 2222, good), { status: 'unknown' }, 'another port is another host');
});

test('[host]:port, hashed entries, wildcards and negation', () => {
  assert.deepEqual(checkHostKey(line('[10.0.0.2]:2222', good), '10.0.0.2', 2222, good), { status: 'match' });
  const salt = Buffer.alloc(20, 7);
  const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('10.0.0.9').digest('base64')}`;
  assert.deepEqual(checkHostKey(line(hashed, good), '10.0.0.9', 22, good), { status: 'match' });
  assert.deepEqual(checkHostKey(line(hashed, good), '10.0.0.8', 22, good), { status: 'unknown' });
  assert.deepEqual(checkHostKey(line('10.0.0.*', good), '10.0.0.77', 22, good), { status: 'match' });
  assert.deepEqual(checkHostKey(line('10.0.0.*,!10.0.0.77', good), '10.0.0.77', 22, good), { status: 'unknown' });
});

test('--accept-new appends the line OpenSSH would write; a missing file is all unknown', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wdmoe-kh-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'sub', 'known_hosts');
  assert.deepEqual(await checkKnownHosts(file, '10.0.0.2', 22, good), { status: 'unknown' });
  await appendKnownHost(file, '10.0.0.2', 2200, good);
  assert.equal(readFileSync(file, 'utf8'), `${formatKnownHostsLine('10.0.0.2', 2200, good)}\n`);
  assert.deepEqual(await checkKnownHosts(file, '10.0.0.2', 2200, good), { status: 'match' });
});
