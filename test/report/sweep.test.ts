// The report of simulated runs (wdmoe simulate --out): a synthetic run has latency tables but no accuracy
// (no accuracy rows, "–" in the comparison, no trade-off plot); a sweep folder gives the sweep table (CSV
// cells = sweep.json) and the latency-vs-parameter plot, one line per policy, one panel per sweep run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildReport } from '../../src/report/build-report.js';
import { renderReportCsv } from '../../src/report/csv.js';
import { loadRun } from '../../src/report/load-run.js';
import { tradeoffSpec } from '../../src/report/plots.js';
import { reportSections } from '../../src/report/sections.js';
import { sweepSpec } from '../../src/report/sweep.js';
import { parseSweep, runSweepPoints } from '../../src/sim/sweep.js';
import { simulateSynthetic, type SyntheticOptions } from '../../src/sim/synthetic.js';
import { writeSweepRun, writeSyntheticRun } from '../../src/sim/write-run.js';

const ROOT = path.join(import.meta.dirname, '../..');
const options: SyntheticOptions = {
  testbedPath: path.join(ROOT, 'testbeds/loopback-wireless.yaml'), devices: null, tokens: 8, batches: 4, policies: ['topk', 'wdmoe'],
  modelShape: null, alpha: 1, bsComputeMs: 0, seed: 0, profile: null, bandwidthHz: null, distanceM: null, cwd: ROOT,
};
const temp = () => mkdtempSync(path.join(os.tmpdir(), 'wdmoe-report-sim-'));

test('a simulated run reports latency, breakdown and experts but no accuracy: no accuracy rows, acc "–" in the comparison, no trade-off plot', async () => {
  const dir = await writeSyntheticRun(path.join(temp(), 'syn'), options, await simulateSynthetic(options), 'wdmoe test');
  const report = buildReport([loadRun(dir, 'syn')], { baseline: null });
  assert.deepEqual(report.accuracy, []);
  assert.deepEqual(report.latency.map((row) => [row.policy, row.n]), [['topk', 4], ['wdmoe', 4]]);
  assert.deepEqual(report.comparison.map((row) => [row.acc, row.acc_delta]), [[null, null], [null, null]]);
  assert.equal(tradeoffSpec(report), null);
  const sections = reportSections(report);
  assert.ok(!sections.some((section) => section.id === 'accuracy'));
  const comparison = sections.find((section) => section.id === 'comparison')!;
  assert.deepEqual(comparison.text.map((row) => row.slice(2, 4)), [['–', '–'], ['–', '–']]);
  assert.ok(report.runs[0]!.notes.some((note) => /simulated by wdmoe simulate: an item is one batch of 8 tokens/.test(note)));
  assert.ok(!report.runs[0]!.notes.some((note) => /layers\.jsonl/.test(note)), 'no layer-log note for a simulation');
});

test('two sweep folders give the sweep table (CSV = sweep.json) and one latency-vs-parameter panel each, a line per policy', async () => {
  const base = { ...options, modelShape: 'mixtral-8x7b', profile: 'jetson-agx-orin', tokens: 4, batches: 2 };
  const root = temp();
  const devicesSweep = parseSweep('devices=4..8:2');
  const bandwidthSweep = parseSweep('bandwidth=5..20MHz:2');
  const devices = await writeSweepRun(path.join(root, 'devices'), base, devicesSweep, await runSweepPoints(base, devicesSweep), 'wdmoe test');
  const bandwidth = await writeSweepRun(path.join(root, 'bandwidth'), { ...base, devices: 8 }, bandwidthSweep, await runSweepPoints({ ...base, devices: 8 }, bandwidthSweep), 'wdmoe test');
  const report = buildReport([loadRun(devices, 'devices'), loadRun(bandwidth, 'bandwidth')], { baseline: null });
  assert.equal(report.sweep.length, 8);
  assert.deepEqual(report.latency, [], 'no per-item series in a sweep');
  const csv = renderReportCsv(report).split('\n').filter((line) => line.startsWith('sweep,'));
  assert.equal(csv.length, 8);
  assert.match(csv[0]!, /^sweep,devices,devices,4,topk,/);
  const table = reportSections(report).find((section) => section.id === 'sweep')!;
  assert.ok(table.text.some((row) => row[2] === '5 MHz'), 'bandwidth values read in MHz');
  const spec = sweepSpec(report) as unknown as { hconcat: { title: string; data: { values: { policy: string; x: number }[] } }[] };
  assert.equal(spec.hconcat.length, 2);
  assert.match(spec.hconcat[1]!.title, /bandwidth \(MHz\)/);
  assert.deepEqual(spec.hconcat[1]!.data.values.map((value) => [value.policy, value.x]), [['topk', 5], ['wdmoe', 5], ['topk', 20], ['wdmoe', 20]]);
  assert.equal(sweepSpec({ sweep: [] }), null);
});
