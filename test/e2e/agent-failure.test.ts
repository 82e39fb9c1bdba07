// Device-side failures through the real bin/wdmoe and real agent processes: a device port already in
// use, an agent with another auth token, an agent killed mid-run (no replicas: --on-device-loss fail;
// replicas and skip: device-loss.test.ts). Each names the device, exits 1
// (the run failed: cli/exit-codes.ts), does not hang, keeps recorded results and leaves no agent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import {
  BIN,
  MODEL_DIR,
  agentMarker,
  agentPids,
  hasStackTrace,
  killAgents,
  readJsonl,
  resultKeys,
  runWdmoe,
  settleWithin,
  tempDir,
  waitForLines,
  waitForNoAgents,
  writeTestbed,
} from './helpers.js';

const EXIT_RUN_FAILED = 1;

// Listens on 127.0.0.1:port until closed (someone else's server on a device's port).
async function occupyPort(port: number): Promise<net.Server> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}

for (const command of ['bench', 'loopback up'] as const) {
  test(`${command} fails naming the device and port when the device's port is in use (exit 1, no agent left)`, async () => {
    const temp = tempDir();
    const testbed = await writeTestbed(temp.dir, { devices: 2 });
    const marker = agentMarker(testbed.names);
    const blocker = await occupyPort(testbed.ports[1]!);
    const env = { NO_COLOR: '1', WDMOE_STATE_DIR: path.join(temp.dir, 'state') };
    try {
      const args = command === 'bench' ? ['bench', testbed.file, '--dataset', 'add', '--limit', '1', '--out', path.join(temp.dir, 'run')] : ['loopback', 'up', testbed.file, '--json'];
      const result = await runWdmoe(args, { env, timeout: 30_000 });
      const stderr = String(result.stderr);
      assert.equal(result.exitCode, EXIT_RUN_FAILED, stderr);
      const name = testbed.names[1]!;
      const port = testbed.ports[1]!;
      assert.match(stderr, new RegExp(`error\\[agent-start-failed\\]: device ${name}: agent on 127\\.0\\.0\\.1:${port} failed to start: 127\\.0\\.0\\.1:${port} is already in use`));
      assert.match(stderr, new RegExp(`hint: free port ${port}`));
      assert.ok(!hasStackTrace(stderr), stderr);
      assert.deepEqual(await waitForNoAgents(marker, 3000), [], 'the agent that did start is stopped again');
      if (command === 'loopback up') {
        const down = await runWdmoe(['loopback', 'down', testbed.file, '--json'], { env, timeout: 30_000 });
        assert.deepEqual(JSON.parse(String(down.stdout)).stopped, [], 'a failed up records no agents');
      }
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
      killAgents(marker);
      temp.dispose();
    }
  });
}

test('bench on an ssh testbed fails naming the device when its agent has another auth token (exit 1); the agent keeps serving', async () => {
  const temp = tempDir();
  const testbed = await writeTestbed(temp.dir, { devices: 1, mode: 'ssh', token: 'token-b-for-the-base-station-0123' });
  const name = testbed.names[0]!;
  const agent = execa(process.execPath, [BIN, 'agent', '--model', MODEL_DIR, '--device', name, '--port', String(testbed.ports[0])], {
    env: { WDMOE_TOKEN: 'token-a-for-the-agent-0123456789', NO_COLOR: '1' },
    reject: false,
    timeout: 60_000,
    buffer: { stdout: false, stderr: true },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let text = '';
      agent.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('"event":"ready"')) resolve();
      });
      void agent.then((result) => reject(new Error(`agent exited before ready: ${String(result.exitCode)}`)));
    });
    const result = await runWdmoe(['bench', testbed.file, '--dataset', 'add', '--limit', '1', '--out', path.join(temp.dir, 'run')], { timeout: 30_000 });
    const stderr = String(result.stderr);
    assert.equal(result.exitCode, EXIT_RUN_FAILED, stderr);
    assert.match(stderr, new RegExp(`error\\[device-auth-failed\\]: device ${name}: agent at 127\\.0\\.0\\.1:${testbed.ports[0]} does not know the auth token`));
    assert.match(stderr, /hint: .*same auth token/);
    assert.ok(!hasStackTrace(stderr), stderr);
    assert.equal(agent.exitCode, null, 'a peer with the wrong token does not bring the agent down');
    assert.deepEqual(agentPids(name), [agent.pid], 'bench starts no agent of its own for an ssh testbed');
    agent.kill('SIGTERM');
    const stopped = await settleWithin(agent, 10_000, 'agent after SIGTERM');
    assert.equal(stopped.exitCode, 143, `the agent exits 128+15 on SIGTERM\n${String(stopped.stderr)}`);
  } finally {
    killAgents(name);
    temp.dispose();
  }
});

test('bench keeps recorded results and names the device when an agent is killed mid-run (exit 1, no hang)', async () => {
  const temp = tempDir();
  const env = { NO_COLOR: '1', WDMOE_STATE_DIR: path.join(temp.dir, 'state') };
  // Slow enough that 40 items take far longer than the test waits, fast enough to reach 3 lines soon.
  const testbed = await writeTestbed(temp.dir, { devices: 2, link: '{ uplink: { rate: 4mbit, delay: 10ms }, downlink: { rate: 4mbit, delay: 10ms } }' });
  const marker = agentMarker(testbed.names);
  try {
    const up = await runWdmoe(['loopback', 'up', testbed.file, '--json'], { env, timeout: 30_000 });
    assert.equal(up.exitCode, 0, String(up.stderr));
    const devices = JSON.parse(String(up.stdout)).devices as Array<{ name: string; pid: number }>;
    const victim = devices[1]!;

    const out = path.join(temp.dir, 'run');
    const results = path.join(out, 'results.jsonl');
    const bench = runWdmoe(['bench', testbed.file, '--dataset', 'add', '--limit', '40', '--out', out], { env, timeout: 60_000 });
    await waitForLines(results, 3, 20_000);
    process.kill(victim.pid, 'SIGKILL');
    const killedAt = Date.now();
    const result = await settleWithin(bench, 10_000, 'bench after its agent was killed');
    const tookMs = Date.now() - killedAt;

    const stderr = String(result.stderr);
    assert.equal(result.exitCode, EXIT_RUN_FAILED, stderr);
    assert.ok(tookMs < 5000, `bench noticed the lost device after ${tookMs} ms (4mbit/10ms links, request timeout 10s)`);
    assert.match(stderr, new RegExp(`error\\[device-loss\\]: device ${victim.name}: connection to 127\\.0\\.0\\.1:\\d+ lost.*; layer \\d: expert\\(s\\) .* are on no other device that is up \\(--on-device-loss fail\\)`));
    assert.match(stderr, new RegExp(`\\[${victim.name}\\] down in layer \\d: `), 'the loss is reported on stderr as it happens');
    assert.ok(!hasStackTrace(stderr), stderr);
    // The item in progress is recorded as failed, naming the device and why; it has no results line.
    const failed = readJsonl<{ event: string; device: string; id: string; reason: string }>(path.join(out, 'device-events.jsonl')).filter((e) => e.event === 'item-failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.device, victim.name);
    assert.match(failed[0]!.reason, /lost/);

    const lines = readJsonl(results); // throws on a torn line
    assert.ok(lines.length >= 3 && lines.length < 40, `${lines.length} results recorded`);
    assert.equal(new Set(resultKeys(lines)).size, lines.length, 'no item recorded twice');
    assert.ok(existsSync(path.join(out, 'summary.json')), 'summary.json written after the failure');
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as { groups: Array<{ n: number }> };
    assert.equal(summary.groups[0]?.n, lines.length, 'the summary covers the recorded results');

    assert.deepEqual(agentPids(marker), [devices[0]!.pid], 'bench leaves the surviving loopback agent to loopback down');
    const down = await runWdmoe(['loopback', 'down', testbed.file, '--json'], { env, timeout: 30_000 });
    assert.equal(down.exitCode, 0, String(down.stderr));
    assert.deepEqual(JSON.parse(String(down.stdout)).stopped, [devices[0]!.name]);
    assert.deepEqual(await waitForNoAgents(marker), [], 'loopback down leaves nothing');
  } finally {
    killAgents(marker);
    temp.dispose();
  }
});
