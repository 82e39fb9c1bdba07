// One agent connection's bounds: frames refused from their header and fixed part before the payload
// is read (pre-handshake types, RUN hidden against the loaded experts), the handshake and idle
// timeouts answered with ERROR timeout, the connection limit answered with ERROR busy, and reading
// paused while a peer that does not read lets replies pile up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAgentServer, type AgentServerOptions } from '../../src/agent/server.js';
import type { AgentEvent } from '../../src/agent/types.js';
import { DeviceClient, DeviceError, encodeRun, type Frame } from '../../src/transport/index.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { createFakeCompute, type FakeComputeOptions } from '../fixtures/agents/fake-compute.js';

const TOKEN = 'connection-test-token';

const runBytes = (requestId: number, hidden: number, rows = 1) =>
  encodeRun({ requestId, layer: 0, dtype: 'fp32', rows, hidden, k: 1, deadlineMs: 0, states: new Float32Array(rows * hidden).fill(1), weights: new Float32Array(rows).fill(1), experts: new Uint16Array(rows) });

const codeOf = (frame: Frame) => ({ type: frame.type, requestId: frame.requestId, code: (frame as { code?: string }).code });

async function withAgent(
  body: (port: number, events: AgentEvent[], stats: () => ReturnType<Awaited<ReturnType<typeof startAgentServer>>['stats']>) => Promise<void>,
  options: Partial<AgentServerOptions> = {}, compute: FakeComputeOptions = {},
): Promise<void> {
  const events: AgentEvent[] = [];
  const agent = await startAgentServer({ host: '127.0.0.1', port: 0, token: TOKEN, device: 'dev-c', compute: createFakeCompute(compute), onEvent: (e) => events.push(e), ...options });
  try {
    await body(agent.port, events, () => agent.stats());
  } finally {
    await agent.close();
  }
}

test('a RUN before the handshake is refused from its header and fixed part, with its request id', async () => {
  await withAgent(async (port) => {
    const peer = new RawPeer(port, TOKEN);
    const bytes = runBytes(77, 60_000); // 240 KB of states, of which only the first 36 bytes are sent
    peer.socket.write(bytes.subarray(0, 36));
    assert.deepEqual(codeOf(await peer.next()), { type: 'error', requestId: 77, code: 'unexpected-frame' });
    await peer.closed;
  });
});

test('a RUN of another hidden width than the loaded experts is refused with bad-shape before its payload arrives', async () => {
  await withAgent(async (port) => {
    const peer = new RawPeer(port, TOKEN);
    assert.equal((await peer.handshake()).type, 'welcome');
    peer.socket.write(runBytes(1, 8));
    assert.equal((await peer.next()).type, 'result');
    peer.socket.write(runBytes(2, 60_000).subarray(0, 36));
    const refusal = await peer.next();
    assert.deepEqual(codeOf(refusal), { type: 'error', requestId: 0, code: 'bad-shape' });
    assert.match((refusal as { message: string }).message, /run hidden 60000 does not match the experts of device dev-c \(hidden 8\)/);
    await peer.closed;
  }, {}, { hiddenSize: 8 });
});

test('a peer that stalls in the handshake gets ERROR timeout and is closed', async () => {
  await withAgent(async (port, events) => {
    const peer = new RawPeer(port, TOKEN);
    const refusal = await peer.next();
    assert.deepEqual(codeOf(refusal), { type: 'error', requestId: 0, code: 'timeout' });
    assert.match((refusal as { message: string }).message, /no complete handshake within 150 ms/);
    await peer.closed;
    const start = performance.now();
    const isReported = () => events.some((e) => e.kind === 'agent-disconnected' && e.reason === 'handshake-timeout');
    while (!isReported() && performance.now() - start < 2000) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(isReported(), JSON.stringify(events));
  }, { handshakeTimeoutMs: 150 });
});

test('an authenticated connection is closed with ERROR timeout once idle past the idle timeout, not while it is used', async () => {
  await withAgent(async (port, events) => {
    const client = await DeviceClient.connect({ device: 'dev-c', host: '127.0.0.1', port, token: TOKEN, connectTimeoutMs: 2000 });
    for (let i = 0; i < 6; i++) {
      await client.ping({ deadlineMs: 1000 }); // 6 × 50 ms of use: longer than the timeout in total
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(client.isClosed, false);
    const start = performance.now();
    while (!client.isClosed && performance.now() - start < 2000) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(client.isClosed, true);
    await assert.rejects(client.ping({ deadlineMs: 500 }), (e: unknown) => e instanceof DeviceError && /timeout: idle for \d+ ms \(the agent's idle timeout is 200 ms\)/.test(e.message));
    assert.ok(events.some((e) => e.kind === 'agent-disconnected' && e.reason === 'idle-timeout'));
  }, { idleTimeoutMs: 200 });
});

test('past --max-connections a new peer gets ERROR busy, the others keep being served, and a freed slot is usable again', async () => {
  await withAgent(async (port, events) => {
    const connect = () => DeviceClient.connect({ device: 'dev-c', host: '127.0.0.1', port, token: TOKEN, connectTimeoutMs: 2000 });
    const first = await connect();
    const second = await connect();
    await assert.rejects(connect(), (e: unknown) =>
      e instanceof DeviceError && e.agentCode === 'busy' && /agent refused the handshake: busy: agent dev-c already serves 2 connections/.test(e.message) && /--max-connections/.test(e.hint ?? ''));
    assert.ok(events.some((e) => e.kind === 'agent-rejected' && e.code === 'busy'));
    await first.ping({ deadlineMs: 1000 });
    await second.close();
    const third = await connect();
    await third.ping({ deadlineMs: 1000 });
    await Promise.all([first.close(), third.close()]);
  }, { maxConnections: 2 });
});

test('a peer that pipelines RUNs and never reads the RESULTs stops being read: the agent holds a bounded backlog', async () => {
  await withAgent(async (port, _events, stats) => {
    const peer = new RawPeer(port, TOKEN);
    assert.equal((await peer.handshake()).type, 'welcome');
    peer.socket.pause(); // never read: the agent's replies pile up in its socket
    const requests = 400;
    const hidden = 32_768; // 128 KB per RUN and per RESULT: 50 MB each way in all
    for (let id = 1; id <= requests; id++) peer.socket.write(runBytes(id, hidden));
    await new Promise((resolve) => setTimeout(resolve, 600));
    const stalled = stats();
    const servedBytes = stalled.runServed * hidden * 4;
    assert.ok(stalled.runServed < requests / 2, `served ${stalled.runServed} of ${requests} RESULTs while nobody read them`);
    assert.ok(servedBytes < 24 * 1024 * 1024, `${servedBytes} bytes of RESULTs written into a socket nobody reads`);
    peer.socket.resume();
    const start = performance.now();
    while (peer.frames.filter((f) => f.type === 'result').length < requests && performance.now() - start < 10_000) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(peer.frames.filter((f) => f.type === 'result').length, requests);
    peer.socket.destroy();
  });
});
