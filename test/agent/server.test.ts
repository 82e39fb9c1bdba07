// The agent server against raw peers speaking bytes directly: every bad input gets an ERROR frame and
// only its own connection closes; the handshake, deadlines, failures, BYE and events behave as specified.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAgentServer, type AgentServer } from '../../src/agent/server.js';
import type { AgentEvent } from '../../src/agent/types.js';
import { DeviceClient, encodeFrame, encodeRun, type Frame } from '../../src/transport/index.js';
import { RawPeer as BasePeer } from '../helpers/raw-peer.js';
import { createFakeCompute, type FakeComputeOptions } from '../fixtures/agents/fake-compute.js';

const TOKEN = 'agent-test-token';
class RawPeer extends BasePeer {
  constructor(port: number) {
    super(port, TOKEN);
  }
}

const run = (requestId: number, deadlineMs = 0) =>
  encodeRun({ requestId, layer: 0, dtype: 'fp32', rows: 1, hidden: 4, k: 1, deadlineMs, states: new Float32Array([1, 2, 3, 4]), weights: new Float32Array([1]), experts: new Uint16Array([0]) });

async function withAgent(compute: FakeComputeOptions, body: (agent: AgentServer, events: AgentEvent[]) => Promise<void>, extra = {}): Promise<void> {
  const events: AgentEvent[] = [];
  const agent = await startAgentServer({ host: '127.0.0.1', port: 0, token: TOKEN, device: 'dev-7', compute: createFakeCompute(compute), onEvent: (e) => events.push(e), ...extra });
  try {
    await body(agent, events);
  } finally {
    await agent.close();
  }
}

describe('agent server', () => {
  let agent: AgentServer;
  const events: AgentEvent[] = [];
  before(async () => {
    agent = await startAgentServer({ host: '127.0.0.1', port: 0, token: TOKEN, device: 'dev-7', compute: createFakeCompute(), onEvent: (e) => events.push(e) });
  });
  after(() => agent.close());

  test('garbage bytes get ERROR bad-magic and a closed connection, while another BS keeps being served', async () => {
    const good = await DeviceClient.connect({ device: 'dev-7', host: '127.0.0.1', port: agent.port, token: TOKEN, connectTimeoutMs: 2000 });
    const bad = new RawPeer(agent.port);
    bad.socket.write('GET / HTTP/1.1\r\n\r\n');
    const error = await bad.next();
    assert.equal(error.type, 'error');
    assert.equal((error as Extract<Frame, { type: 'error' }>).code, 'bad-magic');
    await bad.closed;
    const reply = await good.run({ layer: 0, rows: 1, hidden: 2, k: 1, states: new Float32Array([1, 2]), weights: new Float32Array([1]), experts: new Uint16Array([0]) }, { deadlineMs: 1000 });
    assert.deepEqual(Array.from(reply.output), [2, 4]);
    assert.ok(events.some((e) => e.kind === 'agent-rejected' && e.code === 'bad-magic'));
    await good.close();
  });

  test('a wrong AUTH proof gets ERROR auth-failed and a closed connection', async () => {
    const peer = new RawPeer(agent.port);
    const answer = await peer.handshake('not-the-token');
    assert.deepEqual({ type: answer.type, code: (answer as { code?: string }).code }, { type: 'error', code: 'auth-failed' });
    await peer.closed;
  });

  test('RUN before the handshake is unexpected-frame', async () => {
    const peer = new RawPeer(agent.port);
    peer.socket.write(run(1));
    const answer = await peer.next();
    assert.equal((answer as { code?: string }).code, 'unexpected-frame');
    await peer.closed;
  });

  test('an oversized frame is refused from its header alone', async () => {
    const peer = new RawPeer(agent.port);
    assert.equal((await peer.handshake()).type, 'welcome');
    const header = run(1).subarray(0, 16);
    header.writeUInt32LE(0xffff_0000, 12);
    peer.socket.write(header);
    assert.equal((await peer.next() as { code?: string }).code, 'too-large');
    await peer.closed;
  });

  test('PING is answered with PONG of the same id; BYE closes the connection', async () => {
    const peer = new RawPeer(agent.port);
    assert.equal((await peer.handshake()).type, 'welcome');
    peer.socket.write(encodeFrame({ type: 'ping', requestId: 42 }));
    assert.deepEqual(await peer.next(), { type: 'pong', requestId: 42 });
    peer.socket.write(Buffer.concat([run(43), encodeFrame({ type: 'bye', requestId: 0 })]));
    const result = await peer.next();
    assert.equal(result.type, 'result'); // requests read before BYE are still answered
    await peer.closed;
  });

  test('stats count requests, results and bytes', () => {
    const stats = agent.stats();
    assert.ok(stats.connections >= 2 && stats.runServed >= 2 && stats.bytesReceived > 0 && stats.bytesSent > 0);
  });
});

describe('agent server request handling', () => {
  test('a queued RUN whose deadline passed before it started is answered with ERROR deadline', async () => {
    await withAgent({ delayMs: 60 }, async (agent) => {
      const peer = new RawPeer(agent.port);
      assert.equal((await peer.handshake()).type, 'welcome');
      peer.socket.write(Buffer.concat([run(1, 1000), run(2, 10)]));
      const first = await peer.next();
      const second = await peer.next();
      assert.equal(first.type, 'result');
      assert.deepEqual({ type: second.type, id: second.requestId, code: (second as { code?: string }).code }, { type: 'error', id: 2, code: 'deadline' });
      assert.equal(agent.stats().deadlineMisses, 1);
      peer.socket.destroy();
    });
  });

  test('a compute failure answers ERROR compute-failed for that request and keeps the connection', async () => {
    await withAgent({ failWith: 'onnx exploded' }, async (agent, events) => {
      const peer = new RawPeer(agent.port);
      assert.equal((await peer.handshake()).type, 'welcome');
      peer.socket.write(run(5));
      const answer = await peer.next();
      assert.match((answer as { message?: string }).message ?? '', /onnx exploded/);
      peer.socket.write(encodeFrame({ type: 'ping', requestId: 6 }));
      assert.equal((await peer.next()).type, 'pong');
      assert.ok(events.some((e) => e.kind === 'agent-request-failed' && e.code === 'compute-failed'));
      peer.socket.destroy();
    });
  });

  test('a peer that never finishes the handshake is dropped after handshakeTimeoutMs', async () => {
    await withAgent({}, async (agent, events) => {
      const peer = new RawPeer(agent.port);
      const start = performance.now();
      await peer.closed;
      assert.ok(performance.now() - start < 1000);
      await new Promise((r) => setTimeout(r, 10));
      assert.ok(events.some((e) => e.kind === 'agent-disconnected' && e.reason === 'handshake-timeout'));
    }, { handshakeTimeoutMs: 100 });
  });

  test('listening on a port in use rejects with EADDRINUSE', async () => {
    await withAgent({}, async (agent) => {
      await assert.rejects(
        startAgentServer({ host: '127.0.0.1', port: agent.port, token: TOKEN, device: 'x', compute: createFakeCompute() }),
        (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE',
      );
    });
  });

  test('aborting the signal closes the server', async () => {
    const controller = new AbortController();
    const events: AgentEvent[] = [];
    const agent = await startAgentServer({ host: '127.0.0.1', port: 0, token: TOKEN, device: 'd', compute: createFakeCompute(), signal: controller.signal, onEvent: (e) => events.push(e) });
    controller.abort();
    await agent.close();
    assert.ok(events.some((e) => e.kind === 'agent-closed'));
  });
});
