// bin/wdmoe bench through real agent processes on 127.0.0.1: records, summary, table, no leftovers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { agentPids, killAgents, readJsonl, runWdmoe, tempDir, waitForNoAgents, writeTestbed } from './helpers.js';

const RESULT_KEYS = ['dataset', 'experts', 'gold', 'correct', 'id', 'latency_ms', 'n_tokens', 'policy', 'prediction'].sort();
const BREAKDOWN_KEYS = ['bs_compute', 'device_compute', 'downlink', 'other', 'uplink'];

test('bench on a loopback testbed records every item with the design keys, summarises, prints the table and stops its agents', async () => {
  const temp = tempDir();
  try {
    const testbed = await writeTestbed(temp.dir, { devices: 3, link: '{ uplink: { rate: 50mbit, delay: 1ms }, downlink: { rate: 50mbit, delay: 1ms } }' });
    const out = path.join(temp.dir, 'run');
    const result = await runWdmoe(['bench', testbed.file, '--dataset', 'add,compare', '--limit', '4', '--out', out]);
    assert.equal(result.exitCode, 0, `bench failed:\n${result.stderr}`);
    assert.match(String(result.stdout), /dataset[\s\S]*acc[\s\S]*add[\s\S]*compare/);

    const lines = readJsonl<Record<string, any>>(path.join(out, 'results.jsonl'));
    assert.equal(lines.length, 8);
    for (const line of lines) {
      assert.deepEqual(Object.keys(line).sort(), RESULT_KEYS);
      assert.deepEqual(Object.keys(line.latency_ms.breakdown).sort(), BREAKDOWN_KEYS);
      assert.deepEqual(Object.keys(line.experts).sort(), ['dropped', 'used']);
      const parts = BREAKDOWN_KEYS.reduce((sum, key) => sum + line.latency_ms.breakdown[key], 0);
      assert.ok(Math.abs(parts - line.latency_ms.total) <= 0.02 * line.latency_ms.total, `${line.id}: breakdown ${parts} vs total ${line.latency_ms.total}`);
      assert.ok(line.latency_ms.breakdown.downlink > 0 && line.latency_ms.breakdown.uplink > 0, 'shaped links show up in the breakdown');
      assert.equal(line.experts.dropped, 0);
    }
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    assert.equal(summary.groups.length, 2);
    for (const group of summary.groups) {
      assert.deepEqual(Object.keys(group).sort(), ['acc', 'acc_norm', 'breakdown_ms', 'dataset', 'latency_ms', 'n', 'policy']);
      assert.deepEqual(Object.keys(group.latency_ms).sort(), ['mean', 'p50', 'p90', 'p99']);
      assert.equal(group.n, 4);
    }
    const layers = readJsonl<Record<string, any>>(path.join(out, 'layers.jsonl'));
    assert.equal(layers.length, 8 * 4, 'one layer line per item × layer');
    assert.deepEqual(await waitForNoAgents(testbed.names[0]!.slice(0, -2)), [], 'no agent left after the run');
  } finally {
    killAgents(path.basename(temp.dir).slice(-6).toLowerCase());
    temp.dispose();
  }
});

test('loopback up starts the agents once, bench reuses them, loopback down stops them', async () => {
  const temp = tempDir();
  const env = { NO_COLOR: '1', WDMOE_STATE_DIR: path.join(temp.dir, 'state') };
  try {
    const testbed = await writeTestbed(temp.dir, { devices: 2 });
    const up = await runWdmoe(['loopback', 'up', testbed.file, '--json'], { env });
    assert.equal(up.exitCode, 0, String(up.stderr));
    const devices = JSON.parse(String(up.stdout)).devices as Array<{ name: string; host: string; port: number; pid: number }>;
    assert.deepEqual(devices.map((d) => d.name), testbed.names);
    assert.deepEqual(devices.map((d) => d.port), testbed.ports);
    const marker = testbed.names[0]!.slice(0, -2);
    assert.deepEqual(agentPids(marker).sort(), devices.map((d) => d.pid).sort());

    const again = await runWdmoe(['loopback', 'up', testbed.file, '--json'], { env });
    assert.deepEqual(JSON.parse(String(again.stdout)).devices, devices, 'a second up keeps the running agents');

    const bench = await runWdmoe(['bench', testbed.file, '--dataset', 'sort', '--limit', '2', '--out', path.join(temp.dir, 'run')], { env });
    assert.equal(bench.exitCode, 0, String(bench.stderr));
    assert.deepEqual(agentPids(marker).sort(), devices.map((d) => d.pid).sort(), 'bench leaves agents it did not start running');

    const down = await runWdmoe(['loopback', 'down', testbed.file, '--json'], { env });
    assert.equal(down.exitCode, 0, String(down.stderr));
    assert.deepEqual(JSON.parse(String(down.stdout)).stopped.sort(), [...testbed.names].sort());
    assert.deepEqual(await waitForNoAgents(marker), []);
  } finally {
    killAgents(path.basename(temp.dir).slice(-6).toLowerCase());
    temp.dispose();
  }
});

test('bench --task generate decodes through the agents and records TTFT and TPOT per item', async () => {
  const temp = tempDir();
  try {
    const testbed = await writeTestbed(temp.dir, { devices: 2, link: '{ uplink: { rate: 50mbit, delay: 1ms }, downlink: { rate: 50mbit, delay: 1ms } }' });
    const out = path.join(temp.dir, 'run');
    const result = await runWdmoe(['bench', testbed.file, '--task', 'generate', '--dataset', 'add-gen', '--limit', '3', '--out', out]);
    assert.equal(result.exitCode, 0, String(result.stderr));
    assert.match(String(result.stdout), /ttft p50 ms/);
    const generations = readJsonl<Record<string, any>>(path.join(out, 'generations.jsonl'));
    const results = readJsonl<Record<string, any>>(path.join(out, 'results.jsonl'));
    assert.equal(generations.length, 3);
    for (const [i, generation] of generations.entries()) {
      assert.ok(generation.ttft_ms > 0 && generation.generated_tokens >= 1);
      assert.equal(generation.tpot_ms.length, generation.generated_tokens - (generation.stopped_by === 'stop-token' ? 0 : 1));
      assert.equal(results[i]!.prediction, generation.text.trim());
      assert.equal(results[i]!.correct, results[i]!.prediction === results[i]!.gold);
    }
    const group = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')).groups[0];
    assert.ok(group.ttft_ms.p50 > 0 && group.tpot_ms.p99 > 0);
  } finally {
    killAgents(path.basename(temp.dir).slice(-6).toLowerCase());
    temp.dispose();
  }
});

test('agents started for another token or placement are never reused: bench refuses them, loopback up replaces them', async () => {
  const temp = tempDir();
  const env = { NO_COLOR: '1', WDMOE_STATE_DIR: path.join(temp.dir, 'state') };
  const marker = path.basename(temp.dir).slice(-6).toLowerCase();
  try {
    const testbed = await writeTestbed(temp.dir, { devices: 2 });
    const up = await runWdmoe(['loopback', 'up', testbed.file, '--json'], { env });
    assert.equal(up.exitCode, 0, String(up.stderr));
    const before = JSON.parse(String(up.stdout)).devices.map((d: { pid: number }) => d.pid);
    const yaml = readFileSync(testbed.file, 'utf8').replace('token: e2e-shared-token-0123456789', 'token: another-token-0123456789abc');
    writeFileSync(testbed.file, yaml);
    const bench = await runWdmoe(['bench', testbed.file, '--dataset', 'add', '--limit', '1', '--out', path.join(temp.dir, 'run')], { env });
    assert.equal(bench.exitCode, 1, String(bench.stderr));
    assert.match(String(bench.stderr), /error\[loopback-stale\].*another model bundle, token or placement[\s\S]*hint: restart them: wdmoe loopback down/);
    const again = await runWdmoe(['loopback', 'up', testbed.file, '--json'], { env });
    assert.equal(again.exitCode, 0, String(again.stderr));
    const after = JSON.parse(String(again.stdout)).devices.map((d: { pid: number }) => d.pid);
    assert.equal(after.filter((pid: number) => before.includes(pid)).length, 0, 'every agent was replaced');
    const benchAfter = await runWdmoe(['bench', testbed.file, '--dataset', 'add', '--limit', '1', '--out', path.join(temp.dir, 'run2')], { env });
    assert.equal(benchAfter.exitCode, 0, String(benchAfter.stderr));
    assert.equal((await runWdmoe(['loopback', 'down', testbed.file], { env })).exitCode, 0);
    assert.deepEqual(await waitForNoAgents(marker), []);
  } finally {
    killAgents(marker);
    temp.dispose();
  }
});
