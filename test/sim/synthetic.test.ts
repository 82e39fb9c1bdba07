// The synthetic simulator end to end in-process: on loopback-wireless the papers' method beats vanilla top-k
// (the testbed's ranking), the same seed gives the same figures, every top-k slot is kept or dropped, and
// --devices 0 / an impossible shape / a testbed with a bad profile are refused with exit code 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simulateSynthetic, type SyntheticOptions } from '../../src/sim/synthetic.js';

const ROOT = path.join(import.meta.dirname, '../..');
const base: SyntheticOptions = {
  testbedPath: path.join(ROOT, 'testbeds/loopback-wireless.yaml'), devices: null, tokens: 32, batches: 8, policies: ['topk', 'wdmoe'],
  modelShape: null, alpha: 1, bsComputeMs: 0.5, seed: 0, profile: null, bandwidthHz: null, distanceM: null, cwd: ROOT,
};

test('on loopback-wireless wdmoe is faster than topk and drops experts; topk drops none', async () => {
  const report = await simulateSynthetic(base);
  const [topk, wdmoe] = report.policies;
  assert.equal(topk!.experts.dropped, 0);
  assert.equal(topk!.experts.kept, 32 * 2 * 4 * 8);
  assert.ok(wdmoe!.experts.dropped > 0 && wdmoe!.experts.kept + wdmoe!.experts.dropped === 32 * 2 * 4 * 8);
  assert.ok(wdmoe!.latency.mean < topk!.latency.mean, `wdmoe ${wdmoe!.latency.mean} ms vs topk ${topk!.latency.mean} ms`);
  assert.ok(Math.abs(topk!.breakdown.bsComputeMs - 4 * 0.5) < 1e-9, 'BS work: 4 layers × 0.5 ms');
  assert.ok(topk!.latency.p50 <= topk!.latency.p90 && topk!.latency.p90 <= topk!.latency.p99);
});

test('the same seed gives the same figures, another seed others', async () => {
  const strip = (r: Awaited<ReturnType<typeof simulateSynthetic>>) => r.policies.map((p) => [p.latency, p.experts]);
  assert.deepEqual(strip(await simulateSynthetic(base)), strip(await simulateSynthetic(base)));
  assert.notDeepEqual(strip(await simulateSynthetic(base)), strip(await simulateSynthetic({ ...base, seed: 1 })));
});

test('--devices 0, --tokens 0 and an impossible model shape are refused with exit code 2', async () => {
  for (const [options, message] of [[{ devices: 0 }, /--devices 0: expected a positive integer/], [{ tokens: 0 }, /--tokens 0/],
    [{ modelShape: path.join(ROOT, 'test/fixtures/sim/shape-top-k.yaml') }, /top_k 6 is above num_experts 4/]] as const) {
    await assert.rejects(simulateSynthetic({ ...base, ...options }), (error: Error & { exitCode?: number }) => message.test(error.message) && error.exitCode === 2);
  }
});

test('a testbed whose device profile has the wrong shape is refused with the profile file named', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wdmoe-sim-profile-'));
  try {
    const testbed = path.join(dir, 'testbed.yaml');
    copyFileSync(path.join(ROOT, 'testbeds/loopback.yaml'), testbed);
    writeFileSync(testbed, readFileSync(testbed, 'utf8').replace('../models/tiny-mixtral', path.join(ROOT, 'models/tiny-mixtral')));
    mkdirSync(path.join(dir, 'profiles'));
    writeFileSync(path.join(dir, 'profiles/this-host.yaml'), 'name: this-host\ncompute_model: { fixed: fast }\n');
    await assert.rejects(simulateSynthetic({ ...base, testbedPath: testbed }), (error: Error & { exitCode?: number }) => /this-host\.yaml/.test(error.message) && error.exitCode === 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--profile replaces every device\'s profile; an unknown one, and a bandwidth on a testbed without a radio channel, are refused', async () => {
  const orin = await simulateSynthetic({ ...base, profile: 'jetson-agx-orin', batches: 2 });
  const own = await simulateSynthetic({ ...base, batches: 2 });
  assert.notEqual(orin.policies[0]!.breakdown.deviceComputeMs, own.policies[0]!.breakdown.deviceComputeMs);
  await assert.rejects(simulateSynthetic({ ...base, profile: 'jetson-nano-9000' }), (error: Error & { exitCode?: number }) => /--profile jetson-nano-9000: no profiles\/jetson-nano-9000\.yaml/.test(error.message) && error.exitCode === 2);
  await assert.rejects(simulateSynthetic({ ...base, testbedPath: path.join(ROOT, 'testbeds/loopback.yaml'), bandwidthHz: 2e7 }), /has no radio channel/);
});

test('the policies\' ranking in simulation is the testbed\'s: synthetic and replayed ranks equal bench\'s measured ones on the recorded wireless run', async () => {
  const { replayRun } = await import('../../src/sim/replay.js');
  const { readResults } = await import('../../src/records/index.js');
  const runDir = path.join(ROOT, 'test/fixtures/runs/sim-replay'); // bench on test/fixtures/sim/wireless-4.yaml, topk and wdmoe
  const rank = (means: Record<string, number>) => Object.keys(means).sort((a, b) => means[a]! - means[b]!);
  const measured: Record<string, number[]> = {};
  for (const record of readResults(path.join(runDir, 'results.jsonl')).records) (measured[record.policy] ??= []).push(record.latency_ms.total);
  const benchRank = rank(Object.fromEntries(Object.entries(measured).map(([policy, values]) => [policy, values.reduce((a, b) => a + b, 0) / values.length])));
  const replay = await replayRun({ runDir, policies: null, calibrate: true, calibrateFrom: null, cwd: ROOT });
  const synthetic = await simulateSynthetic({ ...base, testbedPath: path.join(ROOT, 'test/fixtures/sim/wireless-4.yaml'), batches: 10 });
  assert.deepEqual(benchRank, ['wdmoe', 'topk']);
  assert.deepEqual(rank(Object.fromEntries(replay.policies.map((p) => [p.policy, p.predicted.mean]))), benchRank, 'replay');
  assert.deepEqual(rank(Object.fromEntries(synthetic.policies.map((p) => [p.policy, p.latency.mean]))), benchRank, 'synthetic on the same testbed');
});

test('--bs-compute-from charges each layer the BS work a bench run measured, fitted on tokens; refused with a model shape or without layers.jsonl', async () => {
  const { fitBsCompute } = await import('../../src/sim/bs-compute-fit.js');
  const { readLayerLog } = await import('../../src/records/index.js');
  const runDir = path.join(ROOT, 'test/fixtures/runs/sim-replay');
  const fit = fitBsCompute(runDir);
  const lines = readLayerLog(path.join(runDir, 'layers.jsonl'));
  const meanMs = lines.reduce((sum, line) => sum + line.bs_compute_ms, 0) / lines.length;
  const meanTokens = lines.reduce((sum, line) => sum + line.tokens, 0) / lines.length;
  assert.ok(Math.abs(fit.fixedMs + fit.perTokenMs * meanTokens - meanMs) < 1e-6 || fit.perTokenMs === 0, 'a least-squares line passes through the means');
  const report = await simulateSynthetic({ ...base, bsComputeFrom: runDir, batches: 2 });
  const perLayer = fit.fixedMs + fit.perTokenMs * base.tokens;
  assert.ok(Math.abs(report.policies[0]!.breakdown.bsComputeMs - 4 * perLayer) < 1e-9);
  assert.equal(report.bsCompute.from, runDir);
  await assert.rejects(simulateSynthetic({ ...base, bsComputeFrom: runDir, modelShape: 'mixtral-8x7b' }), /--bs-compute-from measures the bundled model's BS work/);
  assert.throws(() => fitBsCompute(path.join(ROOT, 'test/fixtures/runs/half-finished')), (error: Error & { code?: string }) => error.code === 'sim-bs-compute');
});
