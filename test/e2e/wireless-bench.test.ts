// bin/wdmoe bench on wireless and trace-driven loopback testbeds through real agents: the policies of the
// papers' method run side by side, every transfer is shaped at its link state × the policy's share (checked
// against the recorded state), fading is reproducible by seed, and bad --policy input is a clear exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { rateAtShare, type LinkState } from '../../src/channel/index.js';
import { MODEL_DIR, ROOT, getFreePort, hasStackTrace, killAgents, readJsonl, runWdmoe, tempDir, waitForNoAgents } from './helpers.js';

// A 4-device wireless testbed (distances 80–400 m, Rayleigh fading, 20 MHz) on free ports; names carry a tag.
async function writeWirelessTestbed(dir: string): Promise<{ file: string; marker: string }> {
  const marker = `wl${path.basename(dir).replace(/[^a-z0-9]/gi, '').slice(-6).toLowerCase()}`;
  const distances = [80, 160, 260, 400];
  const devices = await Promise.all(distances.map(async (distance, i) => `  - { name: ${marker}-${i}, host: 127.0.0.1, port: ${await getFreePort()}, link: { channel: { distance_m: ${distance} } } }`));
  const yaml = ['name: wireless-e2e', 'mode: loopback', `model: ${MODEL_DIR}`, 'auth:', '  token: e2e-shared-token-0123456789', 'shaping: userspace',
    'bs:', '  channel: { bandwidth: 20MHz, fading: rayleigh, coherence: 100ms }', 'defaults:', '  link: { uplink: { delay: 1ms }, downlink: { delay: 1ms } }',
    'devices:', ...devices, 'placement: round-robin', 'timeouts: { connect: 5s, request: 20s }', ''].join('\n');
  const file = path.join(dir, 'wireless.yaml');
  writeFileSync(file, yaml);
  return { file, marker };
}

function fromRecord(record: Record<string, any>): LinkState {
  const common = { delayMs: record['delay_ms'], jitterMs: record['jitter_ms'], lossRate: record['loss'] };
  return record['model'] === 'fixed'
    ? { model: 'fixed', rateBitsPerSec: record['rate_bits_per_sec'], poolBitsPerSec: record['pool_bits_per_sec'], ...common }
    : { model: 'shannon', bandwidthHz: record['bandwidth_hz'], snr: 10 ** (record['snr_db'] / 10), ...common };
}

test('wireless bench: topk, wlr, bw and wdmoe in one run, shaped at link state × share, reproducible by seed', { timeout: 300_000 }, async () => {
  const temp = tempDir();
  const { file, marker } = await writeWirelessTestbed(temp.dir);
  try {
    const bench = (out: string, seed: number) => runWdmoe(['bench', file, '--policy', 'topk,wlr,bw,wdmoe:theta=0.5', '--dataset', 'add', '--limit', '3', '--seed', String(seed), '--out', path.join(temp.dir, out)], { timeout: 240_000 });
    const first = await bench('a', 7);
    assert.equal(first.exitCode, 0, String(first.stderr));
    const results = readJsonl<Record<string, any>>(path.join(temp.dir, 'a', 'results.jsonl'));
    assert.deepEqual([...new Set(results.map((r) => r.policy))], ['topk', 'wlr', 'bw', 'wdmoe:theta=0.5']);
    const policies = JSON.parse(readFileSync(path.join(temp.dir, 'a', 'policies.json'), 'utf8'));
    assert.deepEqual(policies['wdmoe:theta=0.5'].params, { theta: 0.5, rounds: 5, allocated_prices: false });
    assert.equal(policies['wdmoe:theta=0.5'].source, 'builtin');
    const linkCheck = JSON.parse(readFileSync(path.join(temp.dir, 'a', 'link-check.json'), 'utf8'));
    assert.equal(linkCheck.links.length, 4, 'bench checked every shaped link before the first item');
    for (const link of linkCheck.links) assert.ok(link.expectedMs > 0 && Number.isFinite(link.error), JSON.stringify(link));

    const layers = readJsonl<Record<string, any>>(path.join(temp.dir, 'a', 'layers.jsonl'));
    assert.equal(layers.length, 3 * 4 * 4, 'items × policies × layers');
    for (const line of layers) {
      assert.equal(line.link_states.length, 4, 'every device\'s link state is recorded, busy or not');
      assert.equal(line.routing.experts.length, line.tokens * 2, 'each token\'s gate top-2');
      assert.equal(line.routing.kept.filter((k: number) => k === 1).length, line.experts.kept);
      for (const device of line.devices) {
        const state = line.link_states.find((s: Record<string, any>) => s.device === device.device);
        for (const direction of ['downlink', 'uplink'] as const) {
          const expected = rateAtShare(fromRecord(state[direction]), device.share)!;
          const used = device[`${direction}_rate_bits_per_sec`];
          assert.ok(Math.abs(used - expected) <= 1e-3 * expected, `${line.policy} layer ${line.layer} ${device.device} ${direction}: shaped at ${used} bit/s, state × share gives ${expected}`);
        }
      }
      // The same item sees the same channel under every policy (item clock).
      const sameItem = layers.filter((other) => other.id === line.id && other.layer === line.layer);
      for (const other of sameItem) assert.deepEqual(other.link_states, line.link_states);
    }
    const shares = (policy: string) => layers.filter((l) => l.policy === policy).flatMap((l) => l.devices.map((d: Record<string, any>) => d.share));
    assert.ok(shares('bw').some((s) => Math.abs(s - shares('topk')[0]!) > 1e-3) || shares('bw').length !== shares('topk').length, 'bw moves bandwidth away from equal shares');
    const dropped = results.filter((r) => r.policy === 'wlr').reduce((sum, r) => sum + r.experts.dropped, 0);
    assert.ok(dropped > 0, 'wlr drops experts on slow devices');

    // Same seed: identical link states, routing and predictions. Another seed: other fading.
    const again = await bench('b', 7);
    assert.equal(again.exitCode, 0, String(again.stderr));
    const layersAgain = readJsonl<Record<string, any>>(path.join(temp.dir, 'b', 'layers.jsonl'));
    const pick = (lines: Record<string, any>[]) => lines.map((l) => [l.policy, l.id, l.layer, l.channel_time_ms, l.link_states, l.routing]);
    assert.deepEqual(pick(layersAgain), pick(layers));
    const predictions = (dir: string) => readJsonl<Record<string, any>>(path.join(temp.dir, dir, 'results.jsonl')).map((r) => [r.policy, r.id, r.prediction, r.experts]);
    assert.deepEqual(predictions('b'), predictions('a'));
    const other = await bench('c', 8);
    assert.equal(other.exitCode, 0, String(other.stderr));
    const layersOther = readJsonl<Record<string, any>>(path.join(temp.dir, 'c', 'layers.jsonl'));
    assert.notDeepEqual(layersOther[0]!.link_states, layers[0]!.link_states, 'another seed draws other fading');
    assert.deepEqual(await waitForNoAgents(marker), []);
  } finally {
    killAgents(marker);
    temp.dispose();
  }
});

test('a custom policy module runs through bench beside topk and is recorded with its sha256', { timeout: 180_000 }, async () => {
  const temp = tempDir();
  const { file, marker } = await writeWirelessTestbed(temp.dir);
  try {
    const out = path.join(temp.dir, 'run');
    const result = await runWdmoe(['bench', file, '--policy', 'topk,./examples/policies/latency-budget.mjs:budget_ms=2', '--dataset', 'add', '--limit', '2', '--no-link-check', '--out', out], { timeout: 150_000 });
    assert.equal(result.exitCode, 0, String(result.stderr));
    const results = readJsonl<Record<string, any>>(path.join(out, 'results.jsonl'));
    assert.deepEqual([...new Set(results.map((r) => r.policy))], ['topk', 'latency-budget:budget_ms=2']);
    const policies = JSON.parse(readFileSync(path.join(out, 'policies.json'), 'utf8'));
    const record = policies['latency-budget:budget_ms=2'];
    assert.equal(record.source, 'module');
    assert.equal(record.file, path.join(ROOT, 'examples/policies/latency-budget.mjs'));
    assert.match(record.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(record.params, { budget_ms: 2 });
    // Resuming with the module changed under the same label is refused.
    const copy = path.join(temp.dir, 'latency-budget.mjs');
    cpSync(path.join(ROOT, 'examples/policies/latency-budget.mjs'), copy);
    const moved = await runWdmoe(['bench', file, '--policy', `${copy}:budget_ms=2`, '--dataset', 'add', '--limit', '2', '--no-link-check', '--out', out, '--resume']);
    assert.equal(moved.exitCode, 2, String(moved.stderr));
    assert.match(String(moved.stderr), /policy latency-budget:budget_ms=2 is not the policy recorded under that name/);
    assert.deepEqual(await waitForNoAgents(marker), []);
  } finally {
    killAgents(marker);
    temp.dispose();
  }
});

test('trace-driven links: each transfer is shaped at the trace\'s rate at that item\'s moment', { timeout: 180_000 }, async () => {
  const temp = tempDir();
  const marker = `tr${path.basename(temp.dir).replace(/[^a-z0-9]/gi, '').slice(-6).toLowerCase()}`;
  try {
    const traces = path.join(ROOT, 'testbeds/traces');
    const devices = await Promise.all([0, 1].map(async (i) => `  - { name: ${marker}-${i}, host: 127.0.0.1, port: ${await getFreePort()}, link: { downlink: { trace: ${traces}/cell-down-${i}.csv }, uplink: { trace: ${traces}/cell-up-${i}.mahimahi } } }`));
    const file = path.join(temp.dir, 'trace.yaml');
    writeFileSync(file, ['name: trace-e2e', 'mode: loopback', `model: ${MODEL_DIR}`, 'auth: { token: e2e-shared-token-0123456789 }', 'bs: { item_interval: 300ms }',
      'devices:', ...devices, ''].join('\n'));
    const out = path.join(temp.dir, 'run');
    const result = await runWdmoe(['bench', file, '--dataset', 'add', '--limit', '3', '--no-link-check', '--out', out], { timeout: 150_000 });
    assert.equal(result.exitCode, 0, String(result.stderr));
    const layers = readJsonl<Record<string, any>>(path.join(out, 'layers.jsonl'));
    const csv = readFileSync(path.join(traces, 'cell-down-0.csv'), 'utf8').split('\n').filter((l) => /^\d/.test(l)).map((l) => l.split(',').map(Number));
    for (const line of layers) {
      const t = line.channel_time_ms;
      assert.equal(t, ['add-0', 'add-1', 'add-2'].indexOf(line.id) * 300);
      const step = [...csv].reverse().find(([start]) => start! <= t)!;
      const state = line.link_states[0].downlink;
      assert.equal(state.rate_bits_per_sec, step[1], `item ${line.id} at ${t} ms: the trace says ${step[1]} bit/s`);
      assert.equal(state.delay_ms, step[2], 'the CSV delay column overrides the link delay');
      const device = line.devices.find((d: Record<string, any>) => d.device === `${marker}-0`);
      if (device !== undefined) assert.equal(device.downlink_rate_bits_per_sec, step[1], 'no pool: the link gets the trace\'s whole rate');
    }
    assert.deepEqual(await waitForNoAgents(marker), []);
  } finally {
    killAgents(marker);
    temp.dispose();
  }
});

const invalid = [
  { name: 'an unknown policy', policy: 'wdmo', message: /error\[policy-unknown\]: unknown policy "wdmo"[\s\S]*hint: did you mean wdmoe\?/ },
  { name: 'a bad parameter', policy: 'wdmoe:theta=2', message: /error\[policy-bad-param\]: policy wdmoe: theta=2 is not valid: expected a number ≥ 0 ≤ 1/ },
  { name: 'a module that does not fit', policy: './test/fixtures/policies/wrong-arrays.mjs', message: /error\[policy-misfit\]: policy wrong-arrays does not fit the policy interface[\s\S]*experts must be a Uint16Array/ },
];
for (const c of invalid) {
  test(`bench refuses ${c.name} before starting anything (exit 2, no stack trace)`, async () => {
    const result = await runWdmoe(['bench', 'testbeds/loopback-wireless.yaml', '--policy', c.policy, '--limit', '1']);
    assert.equal(result.exitCode, 2, String(result.stderr));
    assert.match(String(result.stderr), c.message);
    assert.ok(!hasStackTrace(String(result.stderr)), String(result.stderr));
  });
}
