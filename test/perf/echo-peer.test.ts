// The far end of perf's transport figures, run as the program perf starts in a child process: it
// reports its two ports, echoes RUN states through the real agent server and raw bytes after the size
// preamble, and exits by itself when its stdin closes (perf's parent died), so no process is left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect as connectTcp } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DeviceClient } from '../../src/transport/index.js';
import { PERF_TOKEN } from '../../src/perf/echo-peer.js';

const PEER = fileURLToPath(new URL('../../src/perf/echo-peer.ts', import.meta.url));

test('the echo peer program reports its ports, echoes RUN states and raw messages, and exits when stdin closes', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', PEER], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const ports = await new Promise<{ agentPort: number; rawPort: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('echo peer did not report its ports within 10 s')), 10_000);
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\n')) {
          clearTimeout(timer);
          resolve(JSON.parse(text.split('\n')[0]!) as { agentPort: number; rawPort: number });
        }
      });
    });

    const client = await DeviceClient.connect({ device: 'perf', host: '127.0.0.1', port: ports.agentPort, token: PERF_TOKEN, connectTimeoutMs: 5000 });
    const states = Float32Array.from({ length: 3 * 8 }, (_, i) => i / 7);
    const reply = await client.run({ layer: 0, rows: 3, hidden: 8, k: 1, states, weights: new Float32Array(3).fill(1), experts: new Uint16Array(3) }, { deadlineMs: 5000 });
    assert.deepEqual([...reply.output], [...states]);
    await client.close();

    const socket = connectTcp({ host: '127.0.0.1', port: ports.rawPort, noDelay: true });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const preamble = Buffer.alloc(4);
    preamble.writeUInt32LE(5, 0);
    const echoed = new Promise<Buffer>((resolve) => {
      const parts: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => {
        parts.push(chunk);
        if (Buffer.concat(parts).length >= 10) resolve(Buffer.concat(parts));
      });
    });
    // Preamble and first message in one write, the second message in two pieces: both come back whole.
    socket.write(Buffer.concat([preamble, Buffer.from('hello')]));
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.write(Buffer.from('wo'));
    socket.write(Buffer.from('rld'));
    assert.equal((await echoed).toString(), 'helloworld');
    socket.destroy();
  } finally {
    child.stdin.end();
  }
  const timeout = new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 5000).unref());
  const outcome = await Promise.race([exited, timeout]);
  if (outcome === 'still running') child.kill('SIGKILL');
  assert.equal(outcome, 0, 'the echo peer exits 0 within 5 s once its stdin closes');
});
