// bin/wdmoe simulate --replay on the recorded sim-replay fixture: the table and the JSON report (per policy
// predicted vs measured, per item errors), --policy re-running another policy, and exit 2 without a stack trace
// for a folder it cannot replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hasStackTrace, ROOT, runWdmoe, tempDir } from './helpers.js';

const RUNS = path.join(ROOT, 'test/fixtures/runs');

test('simulate --replay prints predicted vs measured per policy, within tolerance on the fixture run', async () => {
  const result = await runWdmoe(['simulate', '--replay', path.join(RUNS, 'sim-replay')]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const stdout = String(result.stdout);
  assert.match(stdout, /predicted mean[\s\S]*measured mean/);
  for (const policy of ['topk', 'wdmoe']) assert.match(stdout, new RegExp(`│ ${policy} +│ 2 +│.*│ ok +│`), stdout);
  assert.match(stdout, /calibration \(fitted from .*sim-replay's layers\.jsonl\)/);
});

test('simulate --replay --json gives per-policy figures and every item\'s error; --policy adds a policy on the same routing', async () => {
  const result = await runWdmoe(['simulate', '--replay', path.join(RUNS, 'sim-replay'), '--policy', 'bw,wdmoe:theta=0.5', '--json']);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const report = JSON.parse(String(result.stdout));
  assert.deepEqual(report.policies.map((p: { policy: string }) => p.policy), ['bw', 'wdmoe:theta=0.5']);
  assert.ok(report.policies.every((p: { routingFrom: string; measured: unknown }) => p.routingFrom === 'topk' && p.measured === null));
  assert.equal(report.items.length, 4);
  assert.ok(report.items.every((item: { predictedMs: number }) => item.predictedMs > 0));
});

test('simulate --replay of a folder without layers.jsonl, or of a run whose routing was dropped, exits 2 with a hint', async () => {
  for (const [name, code] of [['half-finished', 'sim-replay-no-layers'], ['wireless', 'sim-replay-no-routing']] as const) {
    const result = await runWdmoe(['simulate', '--replay', path.join(RUNS, name)]);
    assert.equal(result.exitCode, 2, `${name}: ${String(result.stderr)}`);
    assert.match(String(result.stderr), new RegExp(`error\\[${code}\\]`));
    assert.match(String(result.stderr), /hint: /);
    assert.ok(!hasStackTrace(String(result.stderr)), String(result.stderr));
  }
});

test('simulate <testbed> --devices 16 --model-shape mixtral-8x7b prints each policy\'s latency distribution; --json has the same figures', async () => {
  const args = ['simulate', path.join(ROOT, 'testbeds/loopback-wireless.yaml'), '--devices', '16', '--model-shape', 'mixtral-8x7b', '--tokens', '16', '--batches', '4'];
  const table = await runWdmoe(args);
  assert.equal(table.exitCode, 0, String(table.stderr));
  assert.match(String(table.stdout), /16 devices, mixtral-8x7b \(hidden 4096, 32 layers × 8 experts, top-2\)/);
  const json = await runWdmoe([...args, '--json']);
  const report = JSON.parse(String(json.stdout));
  assert.deepEqual(report.policies.map((p: { policy: string }) => p.policy), ['topk', 'wdmoe']);
  for (const p of report.policies) assert.ok(String(table.stdout).includes(p.latency.mean.toFixed(1)), `${p.policy} mean ${p.latency.mean.toFixed(1)} in the table`);
});

test('simulate with --devices 0, an impossible model shape, neither a testbed nor --replay, or a flag of the other mode exits 2 without a stack trace', async () => {
  const testbed = path.join(ROOT, 'testbeds/loopback.yaml');
  for (const [args, message] of [
    [[testbed, '--devices', '0'], /'--devices <n>' argument '0' is invalid/],
    [[testbed, '--model-shape', path.join(ROOT, 'test/fixtures/sim/shape-top-k.yaml')], /error\[sim-model-shape\].*top_k 6 is above num_experts 4/],
    [[], /error\[sim-usage\]: give a testbed to simulate, or --replay/],
    [['--replay', path.join(RUNS, 'sim-replay'), '--devices', '4'], /error\[sim-usage\]: --devices applies only to a synthetic run/],
    [[testbed, '--no-calibrate'], /error\[sim-usage\]: --no-calibrate applies only with --replay/],
  ] as const) {
    const result = await runWdmoe(['simulate', ...args]);
    assert.equal(result.exitCode, 2, String(result.stderr));
    assert.match(String(result.stderr), message);
    assert.ok(!hasStackTrace(String(result.stderr)), String(result.stderr));
  }
});

test('simulate --out writes a run folder and a sweep folder that wdmoe report renders (no accuracy; the sweep table and plot)', async () => {
  const temp = tempDir('wdmoe-e2e-simout-');
  try {
    const testbed = path.join(ROOT, 'testbeds/loopback-wireless.yaml');
    const run = await runWdmoe(['simulate', testbed, '--tokens', '8', '--batches', '3', '--out', path.join(temp.dir, 'syn')]);
    assert.equal(run.exitCode, 0, String(run.stderr));
    assert.match(String(run.stderr), /wrote .*syn \(wdmoe report it\)/);
    const table = await runWdmoe(['report', path.join(temp.dir, 'syn')]);
    assert.equal(table.exitCode, 0, String(table.stderr));
    assert.doesNotMatch(String(table.stdout), /Accuracy per dataset/);
    assert.match(String(table.stdout), /Latency per policy[\s\S]*topk[\s\S]*wdmoe/);
    const sweep = await runWdmoe(['simulate', testbed, '--model-shape', 'mixtral-8x7b', '--profile', 'jetson-agx-orin', '--sweep', 'devices=4..8:2', '--tokens', '4', '--batches', '2', '--out', path.join(temp.dir, 'sweep')]);
    assert.equal(sweep.exitCode, 0, String(sweep.stderr));
    const html = await runWdmoe(['report', path.join(temp.dir, 'sweep'), '--format', 'html', '--out', path.join(temp.dir, 'r.html')]);
    assert.equal(html.exitCode, 0, String(html.stderr));
    const page = readFileSync(path.join(temp.dir, 'r.html'), 'utf8');
    assert.match(page, /<figure id="plot-sweep"><svg/);
    assert.match(page, /Simulated sweep/);
    const again = await runWdmoe(['simulate', testbed, '--batches', '1', '--out', path.join(temp.dir, 'syn')]);
    assert.equal(again.exitCode, 2);
    assert.match(String(again.stderr), /error\[sim-out-exists\]/);
  } finally {
    temp.dispose();
  }
});

test('simulate with a device profile of the wrong shape (beside the testbed, or by --profile) exits 2 naming the profile file', async () => {
  const temp = tempDir('wdmoe-e2e-simprofile-');
  try {
    mkdirSync(path.join(temp.dir, 'profiles'));
    const testbed = path.join(temp.dir, 'lw.yaml');
    writeFileSync(testbed, readFileSync(path.join(ROOT, 'testbeds/loopback-wireless.yaml'), 'utf8').replace('model: ../models/tiny-mixtral', `model: ${path.join(ROOT, 'models/tiny-mixtral')}`));
    writeFileSync(path.join(temp.dir, 'profiles/odd.yaml'), 'name: odd\nfp32_gflops: lots\n');
    const byFlag = await runWdmoe(['simulate', testbed, '--profile', 'odd', '--batches', '1']);
    assert.equal(byFlag.exitCode, 2, String(byFlag.stderr));
    assert.match(String(byFlag.stderr), /error\[sim-profile\]: .*profiles\/odd\.yaml/);
    assert.ok(!hasStackTrace(String(byFlag.stderr)), String(byFlag.stderr));
    copyFileSync(path.join(temp.dir, 'profiles/odd.yaml'), path.join(temp.dir, 'profiles/this-host.yaml'));
    writeFileSync(path.join(temp.dir, 'profiles/this-host.yaml'), 'name: this-host\ncompute_model: { fixed: fast }\n');
    const own = await runWdmoe(['simulate', testbed, '--batches', '1']);
    assert.equal(own.exitCode, 2, String(own.stderr));
    assert.match(String(own.stderr), /profiles\/this-host\.yaml/);
    assert.ok(!hasStackTrace(String(own.stderr)), String(own.stderr));
  } finally {
    temp.dispose();
  }
});
