// `wdmoe agent` as a user starts it on a device: a token file other users can read is refused (exit 2,
// the file and `chmod 600` named, no stack trace), bad bound flags are usage errors, and a real agent
// process honours --max-connections (ERROR busy) and --handshake-timeout (ERROR timeout) while serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { DeviceClient, DeviceError } from '../../src/transport/index.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { BIN, MODEL_DIR, getFreePort, runWdmoe, tempDir } from './helpers.js';

const TOKEN = 'agent-cli-e2e-token-0123456789abcdef';

test('wdmoe agent refuses a world-readable --token-file with exit 2, naming the file and chmod 600', async (t) => {
  const { dir, dispose } = tempDir();
  t.after(dispose);
  const file = path.join(dir, 'lab.token');
  writeFileSync(file, `${TOKEN}\n`);
  chmodSync(file, 0o644);
  const result = await runWdmoe(['agent', '--model', MODEL_DIR, '--device', 'd0', '--port', '0', '--token-file', file]);
  assert.equal(result.exitCode, 2, String(result.stderr));
  assert.match(String(result.stderr), new RegExp(`error\\[agent-no-token\\]: device d0: token file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is readable by every user \\(mode 0644\\); run \`chmod 600 `));
  assert.doesNotMatch(String(result.stderr), /\n\s+at /, 'no stack trace');
});

test('wdmoe agent rejects bad bound flags as usage errors', async () => {
  for (const [flag, value] of [['--idle-timeout', '5'], ['--handshake-timeout', '0'], ['--max-connections', '0']] as const) {
    const result = await runWdmoe(['agent', '--model', MODEL_DIR, '--device', 'd0', '--port', '0', flag, value], { env: { WDMOE_TOKEN: TOKEN } });
    assert.equal(result.exitCode, 2, `${flag} ${value}: ${String(result.stderr)}`);
    assert.match(String(result.stderr), new RegExp(flag));
  }
});

test('a wdmoe agent process with --max-connections 1 answers a second BS with busy and a silent peer with timeout', async (t) => {
  const { dir, dispose } = tempDir();
  t.after(dispose);
  const file = path.join(dir, 'token');
  writeFileSync(file, `${TOKEN}\n`, { mode: 0o600 });
  const port = await getFreePort();
  const agent = execa(process.execPath, [BIN, 'agent', '--model', MODEL_DIR, '--device', 'd0', '--experts', '0.0', '--host', '127.0.0.1', '--port', String(port),
    '--token-file', file, '--max-connections', '1', '--handshake-timeout', '300ms'], { reject: false, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', cleanup: true, forceKillAfterDelay: 2000 });
  t.after(async () => {
    agent.kill('SIGTERM');
    await agent;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('agent not ready within 30 s')), 30_000);
    agent.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('"event":"ready"')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void agent.then((result) => reject(new Error(`agent exited: ${String(result.stderr)}`)));
  });
  const connect = () => DeviceClient.connect({ device: 'd0', host: '127.0.0.1', port, token: TOKEN, connectTimeoutMs: 5000 });
  const first = await connect();
  await assert.rejects(connect(), (e: unknown) => e instanceof DeviceError && e.agentCode === 'busy');
  await first.close();
  // The slot frees once the agent has seen the close; until then a new peer may still get busy.
  let silent = new RawPeer(port, TOKEN);
  let refusal = await silent.next(3000);
  for (let tries = 0; (refusal as { code?: string }).code === 'busy' && tries < 20; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    silent = new RawPeer(port, TOKEN);
    refusal = await silent.next(3000);
  }
  assert.deepEqual({ type: refusal.type, code: (refusal as { code?: string }).code }, { type: 'error', code: 'timeout' });
  await silent.closed;
  let again: DeviceClient | undefined;
  for (let tries = 0; again === undefined; tries++) {
    again = await connect().catch((error: unknown) => {
      if (tries >= 20 || !(error instanceof DeviceError && error.agentCode === 'busy')) throw error;
      return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100));
    });
  }
  assert.ok((await again.ping({ deadlineMs: 2000 })) >= 0);
  await again.close();
});
