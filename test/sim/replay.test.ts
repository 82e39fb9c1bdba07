// Replay of the recorded sim-replay fixture (loopback-wireless, 4 devices, topk and wdmoe, 2 items): the
// policies' decisions reproduce the recorded ones, predictions sit within the tolerance of what bench measured,
// the bare model is what the hand-summed layers give, and a policy the run did not record is replayed on
// the first policy's routing without a measurement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readLayerLog, readResults } from '../../src/records/index.js';
import { replayRun } from '../../src/sim/replay.js';

const RUN = path.join(import.meta.dirname, '../fixtures/runs/sim-replay');
const options = { runDir: RUN, policies: null, calibrate: true, calibrateFrom: null, cwd: process.cwd() };

test('replaying the recorded policies makes the decisions bench recorded, layer for layer', async () => {
  const report = await replayRun(options);
  assert.deepEqual(report.policies.map((p) => p.policy), ['topk', 'wdmoe']);
  for (const policy of report.policies) assert.equal(policy.sameDecisions, 1, `${policy.policy}: every layer keeps the recorded experts`);
  const lines = readLayerLog(path.join(RUN, 'layers.jsonl'));
  const dropped = (policy: string) => lines.filter((line) => line.policy === policy).reduce((sum, line) => sum + line.experts.dropped, 0);
  assert.equal(report.policies[0]!.experts.dropped, dropped('topk'));
  assert.equal(report.policies[1]!.experts.dropped, dropped('wdmoe'));
  assert.ok(dropped('wdmoe') > 0, 'wdmoe dropped experts on this channel');
});

test('the calibrated prediction is within 10% (mean) and 15% (p90) of the measured latency per policy', async () => {
  const report = await replayRun(options);
  for (const policy of report.policies) {
    assert.ok(policy.error !== null && policy.measured !== null);
    assert.ok(Math.abs(policy.error.mean) <= 0.1 && Math.abs(policy.error.p90) <= 0.15,
      `${policy.policy}: predicted ${policy.predicted.mean.toFixed(1)} / p90 ${policy.predicted.p90.toFixed(1)} ms vs measured ${policy.measured.mean.toFixed(1)} / ${policy.measured.p90.toFixed(1)} ms (loopback-wireless 4 devices, 2 items)`);
    assert.equal(policy.isWithinTolerance, true);
  }
  const measured = readResults(path.join(RUN, 'results.jsonl')).records;
  assert.equal(report.items.length, measured.length);
  for (const item of report.items) {
    const result = measured.find((r) => r.id === item.id && r.policy === item.policy)!;
    assert.equal(item.measuredMs, result.latency_ms.total);
    assert.ok(Math.abs(item.error! - (item.predictedMs / result.latency_ms.total - 1)) < 1e-12);
  }
});

test('the bare model is the recorded BS work plus, per layer, the slowest device\'s policy-side estimate', async () => {
  const report = await replayRun({ ...options, calibrate: false });
  const lines = readLayerLog(path.join(RUN, 'layers.jsonl'));
  const results = readResults(path.join(RUN, 'results.jsonl')).records;
  for (const item of report.items) {
    const own = lines.filter((line) => line.id === item.id && line.policy === item.policy);
    const result = results.find((r) => r.id === item.id && r.policy === item.policy)!;
    // bench's estimated_ms is the same estimate (policy/latency.ts), rounded to 1 µs.
    const expected = result.latency_ms.breakdown.bs_compute + own.reduce((sum, line) => sum + Math.max(0, ...line.devices.map((d) => d.estimated_ms ?? 0)), 0);
    assert.ok(Math.abs(item.predictedMs - expected) < 0.01, `${item.policy}/${item.id}: ${item.predictedMs} vs ${expected}`);
  }
  assert.equal(report.calibratedOn, null);
});

test('a policy the run did not record is replayed on the first policy\'s routing, with no measurement to compare', async () => {
  const report = await replayRun({ ...options, policies: ['top1', 'wdmoe'] });
  const top1 = report.policies.find((p) => p.policy === 'top1')!;
  assert.equal(top1.routingFrom, 'topk');
  assert.equal(top1.measured, null);
  assert.equal(top1.isWithinTolerance, null);
  const lines = readLayerLog(path.join(RUN, 'layers.jsonl')).filter((line) => line.policy === 'topk');
  assert.equal(top1.experts.kept, lines.reduce((sum, line) => sum + line.tokens, 0), 'top1 keeps one expert per token');
  assert.equal(report.policies.find((p) => p.policy === 'wdmoe')!.routingFrom, 'wdmoe');
});

test('an unknown --policy is refused before anything is replayed', async () => {
  await assert.rejects(replayRun({ ...options, policies: ['wdmo'] }), /unknown policy "wdmo"/);
});
