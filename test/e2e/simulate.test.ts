// bin/wdmoe simulate --replay on the recorded sim-replay fixture: the table and the JSON report (per policy
// predicted vs measured, per item errors), --policy re-running another policy, and exit 2 without a stack trace
// for a folder it cannot replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { hasStackTrace, ROOT, runWdmoe } from './helpers.js';

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
