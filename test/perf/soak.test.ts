// The short soak of the suite (the 50,000-request one is in `npm run perf`, docs/perf.md): 5,000
// pipelined RUNs over 4 BS connections to a live agent process, every output checked, no error, and the
// agent's memory (RSS, and heap after GC) grows less than a bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readRssBytes, runSoak } from '../../src/perf/soak.js';
import { LIVE_AGENT_TOKEN } from '../fixtures/agents/live-agent.js';
import { spawnLiveAgent } from '../fixtures/agents/spawn-live-agent.js';

const RSS_GROWTH_BOUND_BYTES = 64 * 1024 * 1024;
const HEAP_GROWTH_BOUND_BYTES = 16 * 1024 * 1024;

test('soak: 5,000 pipelined RUNs over 4 connections, no error, bounded agent memory', async (t) => {
  const agent = await spawnLiveAgent({ echo: true });
  try {
    const before = await agent.memory();
    const figure = await runSoak({
      host: '127.0.0.1', port: agent.port, token: LIVE_AGENT_TOKEN, agentPid: agent.pid,
      connections: 4, requests: 5000, inFlight: 16, hidden: 256, timeLimitMs: 30_000,
    });
    const after = await agent.memory();
    const mb = (bytes: number | null) => (bytes === null ? 'n/a' : (bytes / 1048576).toFixed(1));
    const summary = `${figure.requests} requests in ${figure.seconds.toFixed(2)} s (${figure.requestsPerSecond.toFixed(0)}/s), ${figure.errors} errors; agent RSS ${mb(figure.agentRssStartBytes)} → ${mb(figure.agentRssEndBytes)} MiB, heap after GC ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MiB`;
    t.diagnostic(summary);
    assert.equal(figure.errors, 0, `${summary}; first error: ${figure.firstError}`);
    assert.equal(figure.requests, 5000, summary);
    if (figure.agentRssStartBytes !== null && figure.agentRssEndBytes !== null) {
      assert.ok(figure.agentRssEndBytes - figure.agentRssStartBytes < RSS_GROWTH_BOUND_BYTES, summary);
    } else {
      t.diagnostic('no /proc: RSS not measured');
    }
    assert.ok(after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers) < HEAP_GROWTH_BOUND_BYTES, summary);
    assert.ok(agent.isAlive());
    assert.equal(readRssBytes(999_999_999), null);
  } finally {
    await agent.stop();
  }
});
