// The placement advisor on the recorded sim-replay run (4 wireless devices): its proposal is predicted faster
// than the testbed's round-robin placement, places every expert, keeps within each device's memory, and is
// written as a testbed YAML that validates and keeps the original's comments; a testbed of other devices, or
// too little memory for the model, is refused with a hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertValidTestbed } from '../../src/testbed/index.js';
import { proposePlacement, type PlaceOptions } from '../../src/sim/place.js';
import { writePlacementYaml } from '../../src/sim/place-yaml.js';

const ROOT = path.join(import.meta.dirname, '../..');
const TESTBED = path.join(ROOT, 'test/fixtures/sim/wireless-4.yaml');
const options: PlaceOptions = { testbedPath: TESTBED, runDir: path.join(ROOT, 'test/fixtures/runs/sim-replay'), policies: null, iterations: 20, seed: 0, cwd: ROOT };

// The fixture testbed in a temp folder whose this-host profile holds `memoryGiB` (experts of ~99 kB, ×2 in memory).
function withMemory(memoryGiB: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wdmoe-place-'));
  mkdirSync(path.join(dir, 'profiles'));
  writeFileSync(path.join(dir, 'profiles/this-host.yaml'), `name: this-host\ndescription: small\nfp32_gflops: 100\nmemory_gib: ${memoryGiB}\ncompute_model: { fixed: 0.09ms, per_token: 0.004ms }\n`);
  const file = path.join(dir, 'wireless-4.yaml');
  writeFileSync(file, readFileSync(TESTBED, 'utf8').replace('model: ../../../models/tiny-mixtral', `model: ${path.join(ROOT, 'models/tiny-mixtral')}`));
  return file;
}

const holdersOk = (holders: number[][][]) => holders.every((layer) => layer.every((devices) => devices.length > 0));

test('the proposal is predicted faster than the testbed\'s placement for every policy and places every expert', async () => {
  const report = await proposePlacement(options);
  const [own, greedy, proposed] = report.predictions;
  assert.deepEqual(report.predictions.map((p) => p.name).slice(0, 3), ['testbed', 'greedy', 'proposed']);
  assert.equal(own!.score, 2, 'the baseline scores one per policy');
  for (const policy of report.policies) assert.ok(proposed!.meanMs[policy]! < own!.meanMs[policy]!, `${policy}: proposed ${proposed!.meanMs[policy]} vs testbed ${own!.meanMs[policy]}`);
  assert.ok(proposed!.score <= greedy!.score + 1e-9 || proposed!.score < own!.score);
  assert.ok(holdersOk(report.holders));
  const single = report.predictions.find((p) => p.name === 'single-device');
  assert.ok(single !== undefined, 'every device\'s memory holds the model: a one-device row');
  assert.equal(report.isSplitSlower, single.score < (report.bestSplitScore ?? Infinity));
});

test('with memory for 10 experts a device the proposal is a split within it, and has no one-device row', async () => {
  const report = await proposePlacement({ ...options, testbedPath: withMemory((10.5 * 2 * 98857) / 2 ** 30) });
  assert.deepEqual(Object.values(report.capacity), [10, 10, 10, 10]);
  const perDevice = report.holders.flat(2).reduce((counts, d) => counts.set(d, (counts.get(d) ?? 0) + 1), new Map<number, number>());
  for (const [device, count] of perDevice) assert.ok(count <= 10, `device ${device} holds ${count} experts`);
  assert.ok(holdersOk(report.holders));
  assert.ok(!report.predictions.some((p) => p.name === 'single-device'));
  assert.equal(report.isSplitSlower, false);
});

test('the written YAML validates, keeps the original\'s comments and says where the placement came from', async () => {
  const report = await proposePlacement(options);
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'wdmoe-place-out-')), 'elsewhere/placed.yaml');
  mkdirSync(path.dirname(out), { recursive: true });
  await writePlacementYaml(TESTBED, out, report.placement, 'placement proposed by a test');
  const text = readFileSync(out, 'utf8');
  assert.match(text, /# local only/);
  assert.match(text, /# placement proposed by a test\nplacement:\n/);
  assert.match(text, /model: .*models\/tiny-mixtral/, 'the model path re-pointed from the new folder');
  const { testbed } = await assertValidTestbed(out);
  for (const [device, specs] of Object.entries(report.placement)) {
    for (const spec of specs) {
      const keys = spec.includes('.') ? [spec] : [0, 1, 2, 3].map((layer) => `${layer}.${spec}`);
      for (const key of keys) assert.ok(testbed.placement.get(key as never)!.includes(device as never), `${key} on ${device}`);
    }
  }
});

test('a testbed of other devices, or memory too small for the model, is refused with a hint', async () => {
  await assert.rejects(proposePlacement({ ...options, testbedPath: path.join(ROOT, 'testbeds/loopback-wireless.yaml') }),
    (error: Error & { code?: string; hint?: string }) => error.code === 'sim-place-mismatch' && /dev-0,dev-1/.test(error.message) && error.hint !== undefined);
  await assert.rejects(proposePlacement({ ...options, testbedPath: withMemory((5 * 2 * 98857) / 2 ** 30) }),
    (error: Error & { code?: string }) => error.code === 'sim-place-memory' && /holds 20 experts, fewer than the model's 32/.test(error.message));
  const copy = mkdtempSync(path.join(os.tmpdir(), 'wdmoe-place-run-'));
  cpSync(options.runDir, copy, { recursive: true });
  writeFileSync(path.join(copy, 'manifest.json'), '{"architecture": {"hiddenSize": 256, "numLayers": 4, "numExperts": 8, "topK": 2}}');
  await assert.rejects(proposePlacement({ ...options, runDir: copy }), (error: Error & { code?: string }) => error.code === 'sim-place-run');
});

test('a testbed with round-robin replicas gets a map and loses `replicas` (which would be refused next to a map)', async () => {
  const report = await proposePlacement(options);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wdmoe-place-rep-'));
  const source = path.join(path.dirname(TESTBED), `replicas-${path.basename(dir)}.yaml`);
  const text = readFileSync(TESTBED, 'utf8');
  assert.match(text, /^placement: round-robin$/m);
  writeFileSync(source, text.replace(/^placement: round-robin$/m, 'placement: round-robin\nreplicas: 2'));
  try {
    const out = path.join(dir, 'placed.yaml');
    await writePlacementYaml(source, out, report.placement, 'placement proposed by a test');
    assert.doesNotMatch(readFileSync(out, 'utf8'), /^replicas:/m);
    await assertValidTestbed(out);
  } finally {
    rmSync(source, { force: true });
  }
});
