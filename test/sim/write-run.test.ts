// simulate --out: a synthetic run's folder (run.json task simulate, results.jsonl per batch × policy with
// nothing scored, summary.json of bench's shape, testbed.yaml for the testbed's own devices), a sweep's folder
// (sweep.json rows read back by records, summary groups per value × policy, sweep.csv), and a non-empty --out refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readResults, readRunMeta, readSweepFile, summarySchema } from '../../src/records/index.js';
import { runSweepPoints, parseSweep } from '../../src/sim/sweep.js';
import { simulateSynthetic, type SyntheticOptions } from '../../src/sim/synthetic.js';
import { assertNewRunDir, writeSweepRun, writeSyntheticRun } from '../../src/sim/write-run.js';

const ROOT = path.join(import.meta.dirname, '../..');
const options: SyntheticOptions = {
  testbedPath: path.join(ROOT, 'testbeds/loopback-wireless.yaml'), devices: null, tokens: 8, batches: 3, policies: ['topk', 'wdmoe'],
  modelShape: null, alpha: 1, bsComputeMs: 0.5, seed: 1, profile: null, bandwidthHz: null, distanceM: null, cwd: ROOT,
};
const temp = () => mkdtempSync(path.join(os.tmpdir(), 'wdmoe-sim-run-'));

test('a synthetic run folder holds one unscored results line per batch × policy whose parts sum to its total, and bench\'s summary shape', async () => {
  const report = await simulateSynthetic(options);
  const dir = await writeSyntheticRun(path.join(temp(), 'run'), options, report, 'wdmoe test');
  assert.deepEqual(readdirSync(dir).sort(), ['policies.json', 'results.jsonl', 'run.json', 'simulation.json', 'summary.json', 'testbed.yaml']);
  assert.equal(readRunMeta(dir)!.task, 'simulate');
  const { records } = readResults(path.join(dir, 'results.jsonl'));
  assert.equal(records.length, 6);
  for (const record of records) {
    assert.equal(record.correct, null);
    assert.equal(record.dataset, 'synthetic');
    const parts = Object.values(record.latency_ms.breakdown).reduce((sum, value) => sum + value, 0);
    assert.ok(Math.abs(parts - record.latency_ms.total) < 0.01, `${record.policy} ${record.id}: parts ${parts} vs total ${record.latency_ms.total}`);
    assert.equal(record.experts.used + record.experts.dropped, 8 * 2 * 4, 'tokens × top-k × layers slots');
  }
  const summary = summarySchema.parse(JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')));
  assert.deepEqual(summary.groups.map((group) => [group.policy, group.acc, group.n]), [['topk', null, 3], ['wdmoe', null, 3]]);
  assert.ok(Math.abs(summary.groups[0]!.latency_ms.mean - report.policies[0]!.latency.mean) < 0.01);
});

test('a sweep folder holds sweep.json (rows as printed), sweep.csv and summary groups per value × policy; no results.jsonl', async () => {
  const sweepOptions = { ...options, modelShape: 'mixtral-8x7b', profile: 'jetson-agx-orin' };
  const sweep = parseSweep('devices=4..8:2');
  const points = await runSweepPoints(sweepOptions, sweep);
  const dir = await writeSweepRun(path.join(temp(), 'sweep'), sweepOptions, sweep, points, 'wdmoe test');
  assert.deepEqual(readdirSync(dir).sort(), ['policies.json', 'run.json', 'summary.json', 'sweep.csv', 'sweep.json']);
  const file = readSweepFile(dir)!;
  assert.deepEqual(file.rows, points.flatMap((point) => point.rows));
  assert.equal(readFileSync(path.join(dir, 'sweep.csv'), 'utf8').split('\n')[0], 'parameter,value,policy,mean_ms,p50_ms,p90_ms,p99_ms,dropped_share,devices_per_layer');
  const summary = summarySchema.parse(JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')));
  assert.deepEqual(summary.groups.map((group) => `${group.dataset}/${group.policy}`), ['devices=4/topk', 'devices=4/wdmoe', 'devices=8/topk', 'devices=8/wdmoe']);
  assert.deepEqual(readRunMeta(dir)!.datasets, ['devices=4', 'devices=8']);
});

test('--out refuses a folder that holds files, before simulating', () => {
  const dir = temp();
  writeFileSync(path.join(dir, 'x'), '');
  assert.throws(() => assertNewRunDir(dir, ROOT), (error: Error & { code?: string; exitCode?: number }) => error.code === 'sim-out-exists' && error.exitCode === 2);
  assertNewRunDir(temp(), ROOT);
});
