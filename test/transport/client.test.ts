// DeviceClient against a real agent server on 127.0.0.1 (port 0) and against misbehaving fixture
// peers (real child processes): pipelining, fp16, auth, deadlines, lost devices, stats, shaping.
import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startAgentServer, type AgentServer } from '../../src/agent/server.js';
import type { AgentEvent } from '../../src/agent/types.js';
import { DeviceClient, DeviceError, type RunRequest } from '../../src/transport/index.js';
import { createShaper, expectedTransferMs } from '../../src/links/index.js';
import { createFakeCompute, expectedOutput, type FakeComputeOptions } from '../fixtures/agents/fake-compute.js';
import { spawnFixtureAgent } from '../fixtures/agents/spawn-fixture.js';

const TOKEN = 'test-token';

async function startAgent(compute: FakeComputeOptions = {}, events: AgentEvent[] = []): Promise<AgentServer> {
  return startAgentServer({ host: '127.0.0.1', port: 0, token: TOKEN, device: 'dev-1', compute: createFakeCompute(compute), onEvent: (e) => events.push(e) });
}

function connect(port: number, extra: Partial<Parameters<typeof DeviceClient.connect>[0]> = {}): Promise<DeviceClient> {
  return DeviceClient.connect({ device: 'dev-1', host: '127.0.0.1', port, token: TOKEN, connectTimeoutMs: 2000, ...extra });
}

function request(layer: number, rows: number, hidden: number, seed = 1): RunRequest {
  const k = 2;
  return {
    layer, rows, hidden, k,
    states: Float32Array.from({ length: rows * hidden }, (_, i) => ((i * 7 + seed) % 13) - 6),
    weights: Float32Array.from({ length: rows * k }, (_, i) => (i % 2 === 0 ? 0.75 : 0.25)),
    experts: Uint16Array.from({ length: rows * k }, (_, i) => (i % 2 === 0 ? 0 : (seed + i) % 3 === 0 ? 0xffff : 1)),
  };
}

function isDeviceError(pattern: RegExp, failure?: string) {
  return (error: unknown) => {
    assert.ok(error instanceof DeviceError, `expected DeviceError, got ${String(error)}`);
    assert.match(error.message, pattern);
    if (failure !== undefined) assert.equal(error.failure, failure);
    return true;
  };
}

describe('DeviceClient with a real agent server', () => {
  let agent: AgentServer;
  const events: AgentEvent[] = [];
  before(async () => {
    agent = await startAgent({}, events);
  });
  after(async () => {
    await agent.close();
  });

  test('the handshake yields the agent\'s name, experts and limits', async () => {
    const client = await connect(agent.port);
    assert.equal(client.info.device, 'dev-1');
    assert.deepEqual(client.info.experts, ['0.0', '0.1', '1.0', '1.1', '2.0', '2.1', '2.3']);
    assert.equal(client.info.limits.maxK, 64);
    await client.close();
  });

  test('the handshake and STATS carry the agent\'s runtime info and telemetry (protocol v2)', async () => {
    const client = await connect(agent.port);
    const runtime = client.info.runtime;
    assert.equal(runtime.runtime, 'node');
    assert.equal(runtime.runtimeVersion, process.versions.node);
    assert.equal(runtime.executionProvider, 'cpu');
    assert.equal(runtime.arch, process.arch);
    assert.match(runtime.os, /\S+ \S+/);
    assert.equal(runtime.jetson, null, 'this host is not a Jetson');
    const stats = await client.stats({ deadlineMs: 1000 });
    assert.equal(stats.telemetry.schema, 1);
    assert.ok(stats.telemetry.uptimeMs >= runtime.telemetry.uptimeMs, 'the agent clock is monotonic');
    assert.equal(stats.telemetry.energy, null, 'no power rails here');
    await client.close();
  });

  test('pipelined requests are matched to their replies by id', async () => {
    const client = await connect(agent.port);
    const requests = Array.from({ length: 40 }, (_, i) => request(i % 3, 1 + (i % 5), 16 + i, i));
    const replies = await Promise.all(requests.map((r) => client.run(r, { deadlineMs: 5000 })));
    replies.forEach((reply, i) => {
      assert.deepEqual(Array.from(reply.output), Array.from(expectedOutput(requests[i]!)));
      const t = reply.timing;
      assert.ok(t.sendStartMs <= t.downlinkDoneMs && t.downlinkDoneMs <= t.resultReceivedMs && t.resultReceivedMs <= t.deliveredMs);
      assert.equal(t.downlinkBytes, 16 + 20 + requests[i]!.rows * requests[i]!.hidden * 4 + requests[i]!.rows * 2 * 6);
      assert.equal(t.uplinkBytes, 16 + 16 + requests[i]!.rows * requests[i]!.hidden * 4);
    });
    const stats = await client.stats({ deadlineMs: 1000 });
    assert.ok(stats.runServed >= 40 && stats.runRequests >= 40);
    assert.ok((await client.ping({ deadlineMs: 1000 })) >= 0);
    await client.close();
  });

  test('large RESULTs offer release; released buffers are reused without touching replies still held', async () => {
    const client = await connect(agent.port);
    assert.equal((await client.run(request(0, 1, 4), { deadlineMs: 2000 })).release, undefined, 'a small RESULT is not pooled');
    const round = (seed: number) => Array.from({ length: 8 }, (_, i) => request(i % 3, 4, 8192, seed + i));
    const first = round(100);
    const held = await Promise.all(first.map((r) => client.run(r, { deadlineMs: 5000 })));
    for (const reply of held) assert.equal(typeof reply.release, 'function');
    held.slice(0, 4).forEach((reply) => {
      reply.release!();
      reply.release!(); // extra calls do nothing
    });
    for (let again = 0; again < 3; again++) {
      const next = round(200 + again * 10);
      const replies = await Promise.all(next.map((r) => client.run(r, { deadlineMs: 5000 })));
      replies.forEach((reply, i) => assert.deepEqual(reply.output, expectedOutput(next[i]!)));
      for (const reply of replies) reply.release?.();
    }
    held.slice(4).forEach((reply, i) => assert.deepEqual(reply.output, expectedOutput(first[4 + i]!), 'an unreleased reply keeps its output'));
    await client.close();
  });

  test('an echo agent reuses RUN buffers only after the RESULT that views them is written', async () => {
    const echo = await startAgent({ echo: true });
    const client = await connect(echo.port);
    try {
      for (let round = 0; round < 3; round++) {
        // 24 × 256 KiB in flight: more than the socket buffers hold, so some RESULT writes complete later.
        const requests = Array.from({ length: 24 }, (_, i) => request(0, 8, 8192, round * 100 + i));
        const replies = await Promise.all(requests.map((r) => client.run(r, { deadlineMs: 10_000 })));
        replies.forEach((reply, i) => {
          assert.deepEqual(reply.output, requests[i]!.states);
          reply.release?.();
        });
      }
    } finally {
      await client.close();
      await echo.close();
    }
  });

  test('fp16 on the wire gives outputs within fp16 precision', async () => {
    const client = await connect(agent.port, { dtype: 'fp16' });
    const req = request(1, 3, 50);
    const reply = await client.run(req, { deadlineMs: 2000 });
    expectedOutput(req).forEach((v, i) => assert.ok(Math.abs(reply.output[i]! - v) <= Math.abs(v) * 2 ** -10 + 1e-6));
    assert.equal(reply.timing.downlinkBytes, 16 + 20 + 150 * 2 + 3 * 2 * 6);
    await client.close();
  });

  test('a RUN naming an expert the device does not hold is refused with unknown-expert', async () => {
    const client = await connect(agent.port);
    const req = { ...request(1, 1, 4), experts: new Uint16Array([0, 9]) };
    await assert.rejects(client.run(req, { deadlineMs: 1000 }), (e: unknown) => e instanceof DeviceError && e.agentCode === 'unknown-expert' && /expert 1\.9/.test(e.message));
    assert.equal((await client.run(request(1, 1, 4), { deadlineMs: 1000 })).output.length, 4); // connection still usable
    await client.close();
  });

  test('a wrong token on the BS side is a clear auth error, and the agent serves others afterwards', async () => {
    await assert.rejects(connect(agent.port, { token: 'wrong' }), isDeviceError(/^device dev-1: agent at 127\.0\.0\.1:\d+ does not know the auth token/, 'auth-failed'));
    const client = await connect(agent.port);
    await client.run(request(0, 1, 4), { deadlineMs: 1000 });
    await client.close();
  });

  test('the caller\'s signal abandons a request', async () => {
    const slow = await startAgent({ delayMs: 500 });
    const client = await connect(slow.port);
    const controller = new AbortController();
    const pending = client.run(request(0, 1, 4), { deadlineMs: 5000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user pressed Ctrl-C')), 20);
    await assert.rejects(pending, isDeviceError(/abandoned: Error: user pressed Ctrl-C/, 'aborted'));
    await client.close();
    await slow.close();
  });
});

describe('failing devices are reported, never waited on', () => {
  test('a device that never answers RUN rejects at the deadline, naming device and layer', async () => {
    const agent = await startAgent({ hang: true });
    const client = await connect(agent.port);
    const start = performance.now();
    const results = await Promise.allSettled([client.run(request(2, 1, 8), { deadlineMs: 200 }), client.run(request(1, 1, 8), { deadlineMs: 300 })]);
    const elapsed = performance.now() - start;
    assert.ok(elapsed < 600, `took ${elapsed} ms`);
    assert.equal(results[0].status, 'rejected');
    assert.equal((results[0] as PromiseRejectedResult).reason.message, 'device dev-1: no RESULT for layer 2 within 200 ms');
    assert.equal((results[1] as PromiseRejectedResult).reason.message, 'device dev-1: no RESULT for layer 1 within 300 ms');
    await client.close();
    await agent.close();
  });

  test('a later request with an earlier deadline still rejects at its own deadline', async () => {
    const agent = await startAgent({ hang: true });
    const client = await connect(agent.port);
    try {
      const start = performance.now();
      const late = client.run(request(0, 1, 8), { deadlineMs: 1500 });
      const early = client.run(request(1, 1, 8), { deadlineMs: 100 });
      await assert.rejects(early, isDeviceError(/no RESULT for layer 1 within 100 ms/, 'timeout'));
      const earlyMs = performance.now() - start;
      assert.ok(earlyMs >= 95 && earlyMs < 600, `the 100 ms request rejected after ${earlyMs} ms`);
      await assert.rejects(late, isDeviceError(/no RESULT for layer 0 within 1500 ms/, 'timeout'));
      assert.ok(performance.now() - start >= 1495);
    } finally {
      await client.close();
      await agent.close();
    }
  });

  test('an agent that goes away rejects every pending request at once', async () => {
    const agent = await startAgent({ hang: true });
    const client = await connect(agent.port);
    const pending = Promise.allSettled([0, 1, 2].map((layer) => client.run(request(layer, 1, 8), { deadlineMs: 10_000 })));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const start = performance.now();
    await agent.close();
    for (const [layer, outcome] of (await pending).entries()) {
      assert.equal(outcome.status, 'rejected');
      isDeviceError(new RegExp(`^device dev-1: .*shutting-down.*\\(while waiting for RESULT for layer ${layer}\\)$`))((outcome as PromiseRejectedResult).reason);
    }
    assert.ok(performance.now() - start < 1000);
    await assert.rejects(client.run(request(0, 1, 8), { deadlineMs: 1000 }), DeviceError);
    await client.close();
  });

  test('a garbage-speaking peer fails the handshake with a protocol error, not a hang', async () => {
    const peer = await spawnFixtureAgent('garbage');
    try {
      const start = performance.now();
      await assert.rejects(connect(peer.port, { connectTimeoutMs: 3000 }), isDeviceError(/bad frame during the handshake.*bad-magic/, 'protocol'));
      assert.ok(performance.now() - start < 1000);
    } finally {
      await peer.stop();
    }
  });

  test('a silent peer fails the handshake at connectTimeoutMs', async () => {
    const peer = await spawnFixtureAgent('silent');
    try {
      const start = performance.now();
      await assert.rejects(connect(peer.port, { connectTimeoutMs: 300 }), isDeviceError(/no handshake answer from 127\.0\.0\.1:\d+ within 300 ms/, 'timeout'));
      const elapsed = performance.now() - start;
      assert.ok(elapsed >= 290 && elapsed < 800, `took ${elapsed} ms`);
    } finally {
      await peer.stop();
    }
  });

  test('nothing listening is reported as unreachable', async () => {
    const agent = await startAgent();
    const { port } = agent;
    await agent.close();
    await assert.rejects(connect(port), isDeviceError(/cannot connect to 127\.0\.0\.1:\d+: ECONNREFUSED/, 'unreachable'));
  });
});

describe('userspace shaping through the client', () => {
  test('a 1 mbit + 20 ms downlink slows an 8 KB RUN as the model says (within 10%)', async () => {
    const agent = await startAgent();
    const spec = { rateBitsPerSec: 1_000_000, delayMs: 20, jitterMs: 0, lossRate: 0 };
    const client = await connect(agent.port, { downlink: createShaper('userspace', spec, 1), uplink: createShaper('none', spec, 1) });
    const unshaped = await connect(agent.port);
    const req = request(0, 2, 1000); // 8000 B of states
    const plain = await unshaped.run(req, { deadlineMs: 2000 });
    const shaped = await client.run(req, { deadlineMs: 2000 });
    const expected = expectedTransferMs(spec, shaped.timing.downlinkBytes);
    const measured = shaped.timing.downlinkDoneMs - shaped.timing.sendStartMs;
    const config = `8 KB RUN (${shaped.timing.downlinkBytes} B) at 1 mbit + 20 ms`;
    assert.ok(Math.abs(measured - expected) <= 0.1 * expected, `${config}: measured ${measured.toFixed(2)} ms, model ${expected.toFixed(2)} ms`);
    const total = shaped.timing.deliveredMs - shaped.timing.sendStartMs;
    assert.ok(total > expected && total > 10 * (plain.timing.deliveredMs - plain.timing.sendStartMs), `${config}: total ${total} ms`);
    await Promise.all([client.close(), unshaped.close()]);
    await agent.close();
  });

  test('a shaped uplink delays delivery of the RESULT by its model time', async () => {
    const agent = await startAgent();
    const spec = { rateBitsPerSec: 2_000_000, delayMs: 10, jitterMs: 0, lossRate: 0 };
    const client = await connect(agent.port, { uplink: createShaper('userspace', spec, 1) });
    const reply = await client.run(request(0, 4, 1024), { deadlineMs: 2000 });
    const expected = expectedTransferMs(spec, reply.timing.uplinkBytes);
    const measured = reply.timing.deliveredMs - reply.timing.resultReceivedMs;
    assert.ok(Math.abs(measured - expected) <= 0.1 * expected, `16 KB RESULT at 2 mbit + 10 ms: measured ${measured.toFixed(2)} ms, model ${expected.toFixed(2)} ms`);
    await client.close();
    await agent.close();
  });
});

test('a RUN over the agent\'s byte limit is refused by the client, and the connection keeps serving', async () => {
  const agent = await startAgentServer({ host: '127.0.0.1', port: 0, token: TOKEN, device: 'dev-1', compute: createFakeCompute({}), limits: { maxPayloadBytes: 4096 } });
  const client = await connect(agent.port);
  try {
    await assert.rejects(client.run(request(0, 8, 256), { deadlineMs: 2000 }), isDeviceError(/over the agent's limit of 4096/));
    const small = await client.run(request(0, 2, 16), { deadlineMs: 2000 });
    assert.equal(small.output.length, 2 * 16);
  } finally {
    await client.close();
    await agent.close();
  }
});

test('a shaped RUN whose caller already aborted rejects once, with nothing left unhandled', async () => {
  const agent = await startAgent();
  const link = { rateBitsPerSec: 1e6, delayMs: 5, jitterMs: 0, lossRate: 0 };
  const client = await connect(agent.port, { downlink: createShaper('userspace', link, 1), uplink: createShaper('userspace', link, 2) });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const controller = new AbortController();
    controller.abort(new Error('interrupted by SIGINT'));
    await assert.rejects(client.run(request(0, 4, 16), { deadlineMs: 2000, signal: controller.signal }), isDeviceError(/abandoned/, 'aborted'));
    const inFlight = new AbortController();
    const pending = client.run(request(0, 64, 64), { deadlineMs: 2000, signal: inFlight.signal });
    setTimeout(() => inFlight.abort(new Error('interrupted by SIGINT')), 2);
    await assert.rejects(pending, isDeviceError(/abandoned/, 'aborted'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await client.close();
    await agent.close();
  }
});
