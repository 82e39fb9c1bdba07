// translateSshError: every ssh2 level / socket errno becomes a DeployError naming the device, with a hint.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeployError } from '../../src/deploy/errors.js';
import { translateSshError } from '../../src/deploy/ssh-errors.js';

const login = { device: 'jetson-2', host: '10.0.0.12', port: 22, user: 'nvidia', keyPath: '/home/me/.ssh/lab' };
const error = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields['message'] ?? 'boom')), fields);

const cases: Array<{ name: string; error: unknown; code: string; phase: string; message: RegExp; hint: RegExp; exitCode?: number }> = [
  { name: 'key refused', error: error({ level: 'client-authentication', message: 'All configured authentication methods failed' }), code: 'ssh-auth', phase: 'auth', message: /^device jetson-2: key not accepted by nvidia@10\.0\.0\.12:22$/, hint: /ssh -i \/home\/me\/\.ssh\/lab -p 22 nvidia@10\.0\.0\.12/ },
  { name: 'connection refused', error: error({ code: 'ECONNREFUSED', level: 'client-socket' }), code: 'ssh-refused', phase: 'connect', message: /connection to 10\.0\.0\.12:22 refused \(no sshd listening\)/, hint: /start sshd on the device, or fix devices\[jetson-2\]\.host/ },
  { name: 'host unreachable', error: error({ code: 'EHOSTUNREACH' }), code: 'ssh-unreachable', phase: 'connect', message: /10\.0\.0\.12 is unreachable \(EHOSTUNREACH\)/, hint: /ping 10\.0\.0\.12/ },
  { name: 'socket timeout', error: error({ code: 'ETIMEDOUT' }), code: 'ssh-timeout', phase: 'connect', message: /no answer from 10\.0\.0\.12:22/, hint: /firewall/ },
  { name: 'handshake timeout', error: error({ level: 'client-timeout', message: 'Timed out while waiting for handshake' }), code: 'ssh-timeout', phase: 'connect', message: /handshake with nvidia@10\.0\.0\.12:22 timed out/, hint: /is an sshd/ },
  { name: 'unknown host name', error: error({ code: 'ENOTFOUND' }), code: 'ssh-dns', phase: 'connect', message: /host name 10\.0\.0\.12 does not resolve/, hint: /HostName/, exitCode: 2 },
  { name: 'not an ssh server', error: error({ level: 'protocol', message: 'Bad identification start' }), code: 'ssh-protocol', phase: 'connect', message: /handshake with .* failed: Bad identification start/, hint: /OpenSSH server/ },
  { name: 'ssh agent broken', error: error({ level: 'agent', message: 'Failed to connect to agent' }), code: 'ssh-agent', phase: 'auth', message: /the ssh agent failed/, hint: /SSH_AUTH_SOCK/ },
  { name: 'SFTP permission denied', error: error({ code: 3, message: 'Permission denied' }), code: 'sftp-failed', phase: 'upload', message: /SFTP on nvidia@10\.0\.0\.12:22: permission denied/, hint: /can write the agent directory/ },
  { name: 'anything else', error: new Error('weird'), code: 'ssh-failed', phase: 'connect', message: /ssh to nvidia@10\.0\.0\.12:22 failed: weird/, hint: /^try: ssh/ },
];

for (const entry of cases) {
  test(`ssh error: ${entry.name} → ${entry.code}`, () => {
    const translated = translateSshError(entry.error, login);
    assert.ok(translated instanceof DeployError);
    assert.equal(translated.code, entry.code);
    assert.equal(translated.phase, entry.phase);
    assert.equal(translated.device, 'jetson-2');
    assert.match(translated.message, entry.message);
    assert.match(translated.hint ?? '', entry.hint);
    assert.equal(translated.exitCode, entry.exitCode ?? 1);
    assert.equal(translated.cause, entry.error);
  });
}

test('a DeployError passes through unchanged', () => {
  const original = new DeployError('host-key-unknown', 'jetson-2', 'host-key', 'x');
  assert.equal(translateSshError(original, login), original);
});
