// Device loss mid-run through the real bin/wdmoe and real agent processes (docs/testbed.md "Device
// loss"): an agent SIGKILLed on a testbed with replicas (a copy of testbeds/loopback-replicas.yaml on free
// ports) → every item completes, the failover is recorded and `report` shows it; an agent hung (SIGSTOP)
// past its derived deadline → the run stops naming it within the deadline; without replicas under
// --on-device-loss skip → every item completes with the skipped experts recorded. Bad input: a bogus
// --on-device-loss, a replica placed on an unknown device.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import {
  BIN, MODEL_DIR, ROOT, agentMarker, getFreePort, hasStackTrace, killAgents, readJsonl, resultKeys, runWdmoe, settleWithin, tempDir, waitForLines,
  waitForNoAgents, writeTestbed,
} from './helpers.js';

const EXIT_OK = 0;
const EXIT_RUN_FAILED = 1;
const EXIT_BAD_INPUT = 2;
const SLOW_LINK = '{ uplink: { rate: 4mbit, delay: 10ms }, downlink: { rate: 4mbit, delay: 10ms } }';

interface DeviceEvent { event: string; device: string; layer: number | null; reason: string | null; experts: string[]; to: string | null; id: string | null }

// testbeds/loopback-replicas.yaml with its devices renamed for this test, on free ports, with `link`.
async function writeReplicasTestbed(dir: string, link: string): Promise<{ file: string; names: string[] }> {
  const tag = path.basename(dir).replace(/[^a-z0-9]/gi, '').slice(-8).toLowerCase();
  let yaml = readFileSync(path.join(ROOT, 'testbeds/loopback-replicas.yaml'), 'utf8');
  const names: string[] = [];
  for (let i = 0; i < 8; i++) {
    names.push(`rep${tag}-${i}`);
    yaml = yaml.replaceAll(`dev-${i}`, names[i]!).replace(`port: 4730${i}`, `port: ${await getFreePort()}`);
  }
  yaml = yaml.replace('model: ../models/tiny-mixtral', `model: ${MODEL_DIR}`)
    .replace(/  link:\n    uplink: .*\n    downlink: .*\n/, `  link: ${link}\n`);
  const file = path.join(dir, 'testbed.yaml');
  writeFileSync(file, yaml);
  return { file, names };
}

// Starts the testbed's agents with `loopback up`; returns name → pid.
async function loopbackUp(file: string, env: Record<string, string>): Promise<Map<string, number>> {
  const up = await runWdmoe(['loopback', 'up', file, '--json'], { env, timeout: 60_000 });
  assert.equal(up.exitCode, 0, String(up.stderr));
  return new Map((JSON.parse(String(up.stdout)).devices as Array<{ name: string; pid: number }>).map((d) => [d.name, d.pid]));
}

test('bench on a testbed with replicas completes every item when an agent is SIGKILLed mid-run; the report shows the failover', async () => {
  const temp = tempDir();
  const env = { NO_COLOR: '1', WDMOE_STATE_DIR: path.join(temp.dir, 'state') };
  const testbed = await writeReplicasTestbed(temp.dir, SLOW_LINK);
  const marker = agentMarker(testbed.names);
  try {
    const pids = await loopbackUp(testbed.file, env);
    const victim = testbed.names[3]!;
    const out = path.join(temp.dir, 'run');
    const results = path.join(out, 'results.jsonl');
    const limit = 10;
    const bench = runWdmoe(['bench', testbed.file, '--dataset', 'add', '--limit', String(limit), '--out', out, '--no-link-check'], { env, timeout: 120_000 });
    await waitForLines(results, 2, 60_000);
    process.kill(pids.get(victim)!, 'SIGKILL');
    const result = await settleWithin(bench, 90_000, 'bench after one of its agents was killed');
    const stderr = String(result.stderr);
    assert.equal(result.exitCode, EXIT_OK, stderr);
    assert.match(stderr, new RegExp(`\\[${victim}\\] down in layer \\d: .*lost`), 'the loss is reported on stderr');
    assert.equal(stderr.match(new RegExp(`\\[${victim}\\] down`, 'g'))!.length, 1, 'once');

    const lines = readJsonl(results);
    assert.equal(lines.length, limit, 'every item completed');
    assert.equal(new Set(resultKeys(lines)).size, limit);
    const events = readJsonl<DeviceEvent>(path.join(out, 'device-events.jsonl'));
    const down = events.filter((e) => e.event === 'down');
    assert.equal(down.length, 1, JSON.stringify(events));
    assert.equal(down[0]!.device, victim);
    assert.match(down[0]!.reason!, /^lost: /);
    const failovers = events.filter((e) => e.event === 'failover');
    assert.ok(failovers.length >= 1, 'the experts of the lost device were re-dispatched');
    // victim (device 3) holds experts 3 and 2: their other replicas are devices 4 and 2
    for (const failover of failovers) {
      assert.equal(failover.device, victim);
      for (const expert of failover.experts) assert.equal(failover.to, testbed.names[expert.endsWith('.3') ? 4 : 2], JSON.stringify(failover));
    }
    assert.deepEqual(events.filter((e) => e.event === 'skip' || e.event === 'item-failed'), [], 'nothing skipped or failed');
    // After the loss no layer sends the victim work (the policies see it unavailable).
    const layers = readJsonl<{ id: string; devices: Array<{ device: string }> }>(path.join(out, 'layers.jsonl'));
    const lossItem = down[0]!.id;
    const later = layers.slice(layers.findIndex((line) => line.id === lossItem)).filter((line) => line.id !== lossItem);
    assert.ok(later.length > 0 && later.every((line) => line.devices.every((d) => d.device !== victim)), 'the items after the loss give the lost device no work');

    const report = await runWdmoe(['report', out], { env, timeout: 30_000 });
    assert.equal(report.exitCode, 0, String(report.stderr));
    assert.match(String(report.stdout), new RegExp(`device ${victim}: down 1× \\(first in layer \\d of add/\\S+ topk: lost: .*\\); failover: \\d experts? re-dispatched to`));
  } finally {
    await runWdmoe(['loopback', 'down', testbed.file], { env, timeout: 30_000 });
    killAgents(marker);
    temp.dispose();
  }
});

test('a hung agent (SIGSTOP) misses its derived deadline: without replicas bench stops naming it within the deadline, finished items kept', async () => {
  const temp = tempDir();
  const env = { NO_COLOR: '1', WDMOE_STATE_DIR: path.join(temp.dir, 'state') };
  const testbed = await writeTestbed(temp.dir, { devices: 2, link: SLOW_LINK, requestTimeout: '30s' });
  const marker = agentMarker(testbed.names);
  let stopped: number | undefined;
  try {
    const pids = await loopbackUp(testbed.file, env);
    const victim = testbed.names[1]!;
    const out = path.join(temp.dir, 'run');
    const results = path.join(out, 'results.jsonl');
    const bench = runWdmoe(['bench', testbed.file, '--dataset', 'add', '--limit', '40', '--out', out, '--no-link-check'], { env, timeout: 120_000 });
    await waitForLines(results, 2, 60_000);
    stopped = pids.get(victim)!;
    process.kill(stopped, 'SIGSTOP');
    const stoppedAt = Date.now();
    const result = await settleWithin(bench, 30_000, 'bench after one of its agents hung');
    const tookMs = Date.now() - stoppedAt;
    const stderr = String(result.stderr);
    assert.equal(result.exitCode, EXIT_RUN_FAILED, stderr);
    assert.match(stderr, new RegExp(`error\\[device-loss\\]: device ${victim}: no RESULT for layer \\d within (\\d+) ms; layer \\d: expert\\(s\\) [\\d., ]+ are on no other device that is up`));
    const deadlineMs = Number(/within (\d+) ms/.exec(stderr)![1]);
    assert.ok(deadlineMs < 30_000, `the deadline (${deadlineMs} ms) is derived from the link and compute profile, not the 30 s cap`);
    assert.ok(tookMs < deadlineMs + 5000, `bench stopped ${tookMs} ms after the agent hung (deadline ${deadlineMs} ms)`);
    assert.match(stderr, /hint: .*--resume/);
    assert.ok(!hasStackTrace(stderr), stderr);
    const lines = readJsonl(results);
    assert.ok(lines.length >= 2 && lines.length < 40, `${lines.length} results kept`);
    const failed = readJsonl<DeviceEvent>(path.join(out, 'device-events.jsonl')).filter((e) => e.event === 'item-failed');
    assert.equal(failed.length, 1, 'the item in progress is recorded as failed');
    assert.equal(failed[0]!.device, victim);
    assert.match(failed[0]!.reason!, /no RESULT for layer \d within \d+ ms/);
    assert.ok(!resultKeys(lines).some((key) => key.endsWith(`/${failed[0]!.id}`)), 'the failed item has no result (resume runs it again)');
  } finally {
    if (stopped !== undefined) process.kill(stopped, 'SIGCONT');
    await runWdmoe(['loopback', 'down', testbed.file], { env, timeout: 30_000 });
    killAgents(marker);
    temp.dispose();
  }
});

test('bench --on-device-loss skip completes every item without the lost device\'s experts and records which were skipped', async () => {
  const temp = tempDir();
  const env = { NO_COLOR: '1', WDMOE_STATE_DIR: path.join(temp.dir, 'state') };
  const testbed = await writeTestbed(temp.dir, { devices: 2, link: SLOW_LINK });
  const marker = agentMarker(testbed.names);
  try {
    const pids = await loopbackUp(testbed.file, env);
    const victim = testbed.names[1]!;
    const out = path.join(temp.dir, 'run');
    const results = path.join(out, 'results.jsonl');
    const limit = 8;
    const bench = runWdmoe(['bench', testbed.file, '--dataset', 'add', '--limit', String(limit), '--out', out, '--no-link-check', '--on-device-loss', 'skip'], { env, timeout: 120_000 });
    await waitForLines(results, 2, 60_000);
    process.kill(pids.get(victim)!, 'SIGKILL');
    const result = await settleWithin(bench, 90_000, 'bench --on-device-loss skip after an agent was killed');
    assert.equal(result.exitCode, EXIT_OK, String(result.stderr));
    assert.equal(readJsonl(results).length, limit, 'every item completed');
    const events = readJsonl<DeviceEvent>(path.join(out, 'device-events.jsonl'));
    const skips = events.filter((e) => e.event === 'skip');
    assert.ok(skips.length >= 1, JSON.stringify(events));
    // round-robin over 2 devices: device 1 holds the odd experts
    for (const skip of skips) {
      assert.equal(skip.device, victim);
      assert.ok(skip.experts.length > 0 && skip.experts.every((key) => key.startsWith(`${skip.layer}.`) && Number(key.split('.')[1]) % 2 === 1), JSON.stringify(skip));
    }
    const skippedItems = new Set(skips.map((e) => e.id));
    assert.ok(skippedItems.size >= limit - 3, `skips recorded per item after the loss (${skippedItems.size} items)`);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as { groups: Array<{ n: number; acc: number }> };
    assert.equal(summary.groups[0]!.n, limit);
    assert.ok(summary.groups[0]!.acc >= 0 && summary.groups[0]!.acc <= 1, 'accuracy still computed');
  } finally {
    await runWdmoe(['loopback', 'down', testbed.file], { env, timeout: 30_000 });
    killAgents(marker);
    assert.deepEqual(await waitForNoAgents(marker), []);
    temp.dispose();
  }
});

test('a device that comes back is reconnected in the background and used again; the reconnection is recorded', async () => {
  const temp = tempDir();
  const env = { NO_COLOR: '1', WDMOE_STATE_DIR: path.join(temp.dir, 'state') };
  const token = 'e2e-shared-token-0123456789';
  const testbed = await writeTestbed(temp.dir, { devices: 2, link: SLOW_LINK, token });
  const marker = agentMarker(testbed.names);
  let revived: ReturnType<typeof execa> | undefined;
  try {
    const pids = await loopbackUp(testbed.file, env);
    const victim = testbed.names[1]!;
    const out = path.join(temp.dir, 'run');
    const results = path.join(out, 'results.jsonl');
    const events = path.join(out, 'device-events.jsonl');
    const limit = 16;
    const bench = runWdmoe(['bench', testbed.file, '--dataset', 'add', '--limit', String(limit), '--out', out, '--no-link-check', '--on-device-loss', 'skip'], { env, timeout: 120_000 });
    await waitForLines(results, 2, 60_000);
    process.kill(pids.get(victim)!, 'SIGKILL');
    await waitForLines(events, 1, 20_000);
    // The same device comes back on its port (a rebooted board, a restarted agent).
    revived = execa(process.execPath, [BIN, 'agent', '--model', MODEL_DIR, '--device', victim, '--port', String(testbed.ports[1])], { env: { WDMOE_TOKEN: token, NO_COLOR: '1' }, reject: false, timeout: 120_000 });
    const result = await settleWithin(bench, 100_000, 'bench while its lost device came back');
    const stderr = String(result.stderr);
    assert.equal(result.exitCode, EXIT_OK, stderr);
    assert.match(stderr, new RegExp(`\\[${victim}\\] reconnected after \\d+\\.\\d s \\(\\d+ attempts?\\); in use again`));
    assert.equal(readJsonl(results).length, limit);
    const lines = readJsonl<DeviceEvent & { down_ms: number; attempts: number }>(events);
    const reconnected = lines.filter((e) => e.event === 'reconnected');
    assert.equal(reconnected.length, 1, JSON.stringify(lines));
    assert.equal(reconnected[0]!.device, victim);
    assert.ok(reconnected[0]!.attempts >= 1 && reconnected[0]!.down_ms > 0);
    // Used again: the last items send the device work and skip nothing.
    const layers = readJsonl<{ id: string; devices: Array<{ device: string }> }>(path.join(out, 'layers.jsonl'));
    const lastId = layers.at(-1)!.id;
    assert.ok(layers.filter((line) => line.id === lastId).some((line) => line.devices.some((d) => d.device === victim)), 'the reconnected device serves the last item');
    assert.ok(!lines.some((e) => e.event === 'skip' && e.id === lastId), 'nothing skipped once it is back');
    const report = await runWdmoe(['report', out], { env, timeout: 30_000 });
    assert.match(String(report.stdout), new RegExp(`device ${victim}: down 1× .*skipped .*reconnected 1×`));
  } finally {
    revived?.kill('SIGTERM');
    await revived;
    await runWdmoe(['loopback', 'down', testbed.file], { env, timeout: 30_000 });
    killAgents(marker);
    temp.dispose();
  }
});

test('bad input: a bogus --on-device-loss, more replicas than devices, and a replica placed on an unknown device, are refused with exit 2 naming the value', async () => {
  const bogus = await runWdmoe(['bench', path.join(ROOT, 'testbeds/loopback-replicas.yaml'), '--on-device-loss', 'bogus'], { timeout: 30_000 });
  assert.equal(bogus.exitCode, EXIT_BAD_INPUT, String(bogus.stderr));
  assert.match(String(bogus.stderr), /--on-device-loss <mode>' argument 'bogus' is invalid\. Allowed choices are fail, skip/);
  const temp = tempDir();
  try {
    const testbed = await writeReplicasTestbed(temp.dir, SLOW_LINK);
    const original = readFileSync(testbed.file, 'utf8');
    assert.match(original, /^placement: round-robin\nreplicas: 2$/m);
    // More replicas than devices.
    const tooMany = original.replace(/^replicas: 2$/m, 'replicas: 9');
    writeFileSync(testbed.file, tooMany);
    const many = await runWdmoe(['validate', testbed.file], { timeout: 30_000 });
    assert.equal(many.exitCode, EXIT_BAD_INPUT, String(many.stderr));
    const replicasLine = tooMany.split('\n').indexOf('replicas: 9') + 1;
    assert.match(String(many.stderr), new RegExp(`testbed\\.yaml:${replicasLine}:11 replicas: replicas: 9 needs at least 9 devices \\(the testbed has 8\\)`));
    // The same placement as a map, with a replica on a device the testbed lacks.
    const map = testbed.names.map((name, i) => `  ${name}: ["${i}", "${(i + 7) % 8}"]`).join('\n');
    const yaml = original.replace(/^placement: round-robin\nreplicas: 2$/m, `placement:\n${map}\n  dev-8: ["7"]`);
    writeFileSync(testbed.file, yaml);
    const line = yaml.split('\n').findIndex((text) => text.startsWith('  dev-8:')) + 1;
    const result = await runWdmoe(['validate', testbed.file], { timeout: 30_000 });
    assert.equal(result.exitCode, EXIT_BAD_INPUT, String(result.stderr));
    assert.match(String(result.stderr), new RegExp(`testbed\\.yaml:${line}:\\d+ placement\\.dev-8: unknown device "dev-8"`));
  } finally {
    temp.dispose();
  }
});
