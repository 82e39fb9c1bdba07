// report on the recorded fixture runs (test/fixtures/runs/): every cell of every table, read back from the
// CSV rendering (full precision), against the same figures recomputed from the JSONL files by expected.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { reportRuns, type ReportFormat } from '../../src/report/index.js';
import { expectedAccuracy, expectedBreakdown, expectedComparison, expectedDevices, expectedExperts, expectedGeneration, expectedLatency, expectedPolicies, expectedTestbed, type Labelled } from './expected.js';
import { assertClose, parseCsvBlocks, run } from './helpers.js';

type Row = Record<string, string | number | null>;

const render = (runDirs: string[], format: ReportFormat = 'csv', baseline: string | null = null) =>
  reportRuns({ runDirs, format, outFile: null, baseline, color: false });

// Every row and column of block `id` equals `expected` (numbers to 1e-9 relative; null is an empty cell).
function assertBlock(blocks: Map<string, Record<string, string>[]>, id: string, expected: Row[]): void {
  const rows = blocks.get(id) ?? [];
  assert.equal(rows.length, expected.length, `${id}: number of rows`);
  expected.forEach((want, i) => {
    const got = rows[i]!;
    assert.deepEqual(Object.keys(got).filter((key) => key !== 'table').sort(), Object.keys(want).sort(), `${id} row ${i}: columns`);
    for (const [key, value] of Object.entries(want)) {
      if (value === null) assert.equal(got[key], '', `${id} row ${i} ${key}: empty`);
      else if (typeof value === 'number') assertClose(Number(got[key]), value, `${id} row ${i} ${key}`);
      else assert.equal(got[key], value, `${id} row ${i} ${key}`);
    }
  });
}

const TWO_POLICIES: Labelled[] = [{ label: 'two-policies', dir: run('two-policies') }];

test('report on a recorded run: every number of every table matches the records recomputed independently', async () => {
  const output = await render([run('two-policies')]);
  const blocks = parseCsvBlocks(output.text);
  assert.deepEqual([...blocks.keys()], ['accuracy', 'latency', 'breakdown', 'experts', 'devices', 'comparison', 'policies', 'testbed']);
  assertBlock(blocks, 'accuracy', expectedAccuracy(TWO_POLICIES));
  assertBlock(blocks, 'latency', expectedLatency(TWO_POLICIES));
  assertBlock(blocks, 'breakdown', expectedBreakdown(TWO_POLICIES));
  assertBlock(blocks, 'experts', expectedExperts(TWO_POLICIES));
  assertBlock(blocks, 'devices', expectedDevices(TWO_POLICIES));
  assertBlock(blocks, 'comparison', expectedComparison(TWO_POLICIES, { label: 'two-policies', policy: 'topk' }));
  assertBlock(blocks, 'policies', expectedPolicies(TWO_POLICIES));
  assertBlock(blocks, 'testbed', expectedTestbed(run('two-policies')).map((row, i) => ({ ...row, experts: `${i},${i + 4} on layers 0–3` })));
  assert.equal(output.report.baseline, 'topk');
  assert.deepEqual(output.notes, [], 'a finished run of the current format has nothing to note');
});

test('a wireless run (layers format 2: bandwidth shares, channel clock) reports shares, parameters and radios', async () => {
  const runs: Labelled[] = [{ label: 'wireless', dir: run('wireless') }];
  const output = await render([run('wireless')]);
  const blocks = parseCsvBlocks(output.text);
  for (const [id, expected] of [['accuracy', expectedAccuracy(runs)], ['latency', expectedLatency(runs)], ['breakdown', expectedBreakdown(runs)], ['experts', expectedExperts(runs)],
    ['devices', expectedDevices(runs)], ['comparison', expectedComparison(runs, { label: 'wireless', policy: 'topk' })], ['policies', expectedPolicies(runs)]] as const) {
    assertBlock(blocks, id, expected);
  }
  assertBlock(blocks, 'testbed', expectedTestbed(run('wireless')).map((row, i) => ({ ...row, experts: `${i},${i + 4} on layers 0–3` })));
  assert.ok(output.report.devices.every((row) => row.mean_share !== null && row.mean_share > 0 && row.mean_share < 1), 'every device had a share');
  assert.equal(blocks.get('policies')![1]!['parameters'], 'theta=0.5, rounds=5');
  assert.deepEqual(output.notes, []);
});

test('a generation run (--task generate) adds TTFT and TPOT; exact-match accuracy has no acc_norm', async () => {
  const runs: Labelled[] = [{ label: 'generate', dir: run('generate') }];
  const output = await render([run('generate')]);
  const blocks = parseCsvBlocks(output.text);
  assertBlock(blocks, 'generation', expectedGeneration(runs));
  assertBlock(blocks, 'accuracy', expectedAccuracy(runs));
  assertBlock(blocks, 'latency', expectedLatency(runs));
  assert.ok(output.report.accuracy.every((row) => row.acc_norm === null && row.acc_norm_ci95 === null));
  assert.deepEqual(output.notes, ['no layers.jsonl: per-device load and the per-layer plot are left out'], 'this fixture keeps no layers.jsonl');
});

test('the fixture is not trivial: the policies differ in accuracy, latency and experts dropped', () => {
  const [topk, top1] = expectedComparison(TWO_POLICIES, { label: 'two-policies', policy: 'topk' });
  assert.ok((top1!['acc_delta'] as number) < 0 && (top1!['latency_mean_ratio'] as number) < 1 && (top1!['dropped_share_delta'] as number) > 0.4, JSON.stringify(top1));
  assert.equal(topk!['latency_mean_ratio'], 1);
});

test('report on two runs compares every series with topk of the first run, across runs, with ratios', async () => {
  const runs: Labelled[] = [...TWO_POLICIES, { label: 'slow-uplink', dir: run('slow-uplink') }];
  const output = await render([run('two-policies'), run('slow-uplink')]);
  const blocks = parseCsvBlocks(output.text);
  assert.equal(output.report.baseline, 'two-policies/topk');
  assertBlock(blocks, 'comparison', expectedComparison(runs, { label: 'two-policies', policy: 'topk' }));
  assertBlock(blocks, 'accuracy', expectedAccuracy(runs));
  assertBlock(blocks, 'latency', expectedLatency(runs));
  assertBlock(blocks, 'devices', expectedDevices(runs));
  const slow = blocks.get('comparison')!.find((row) => row['run'] === 'slow-uplink')!;
  assert.ok(Number(slow['latency_mean_ratio']) > 1.5, `a 5 Mbit/s uplink is slower than 20 Mbit/s: ${slow['latency_mean_ratio']}`);
});

test('--baseline picks a series by run/policy or by policy; an unknown one is a clear error', async () => {
  const runs: Labelled[] = [...TWO_POLICIES, { label: 'slow-uplink', dir: run('slow-uplink') }];
  const output = await render([run('two-policies'), run('slow-uplink')], 'csv', 'slow-uplink/topk');
  assertBlock(parseCsvBlocks(output.text), 'comparison', expectedComparison(runs, { label: 'slow-uplink', policy: 'topk' }));
  assert.equal((await render([run('two-policies')], 'json', 'top1')).report.baseline, 'top1');
  await assert.rejects(render([run('two-policies')], 'csv', 'wdmoe'), (error: Error & { code?: string; exitCode?: number; hint?: string }) =>
    error.code === 'report-baseline' && error.exitCode === 2 && /--baseline wdmoe/.test(error.message) && /topk, top1/.test(error.hint ?? ''));
});

test('a half-finished run is reported with notes: torn last line, in-flight scores and uneven policies left out', async () => {
  const output = await render([run('half-finished')]);
  const blocks = parseCsvBlocks(output.text);
  const runs: Labelled[] = [{ label: 'half-finished', dir: run('half-finished') }];
  assertBlock(blocks, 'accuracy', expectedAccuracy(runs));
  assertBlock(blocks, 'latency', expectedLatency(runs));
  assertBlock(blocks, 'experts', expectedExperts(runs));
  assert.equal(blocks.has('devices'), false, 'no layers.jsonl: no per-device table');
  assert.equal(output.report.accuracy.find((row) => row.policy === 'top1')!.n_norm, 1, 'the scores line of the item in flight is not counted');
  const notes = output.notes.join('\n');
  assert.match(notes, /results\.jsonl:5: ignoring a torn last line/);
  assert.match(notes, /no summary\.json/);
  assert.match(notes, /dataset add has 3 items under topk, 1 item under top1/);
  assert.match(notes, /--resume --out/);
  assert.match(notes, /no layers\.jsonl/);
  assert.match(notes, /no testbed\.yaml/);
});

test('an older run folder (results.jsonl only, an item recorded twice) is reported with a note', async () => {
  const output = await render([run('older-format')]);
  const runs: Labelled[] = [{ label: 'older-format', dir: run('older-format') }];
  const blocks = parseCsvBlocks(output.text);
  assertBlock(blocks, 'accuracy', expectedAccuracy(runs));
  assertBlock(blocks, 'latency', expectedLatency(runs));
  assert.equal(output.report.latency[0]!.n, 3, 'the re-run item counts once (its last line)');
  assert.match(output.notes.join('\n'), /no run\.json: an older run folder/);
  assert.equal(blocks.has('comparison'), false, 'one series: nothing to compare');
});

test('a missing folder, one without results.jsonl and one with no finished item are errors with exit 2', async () => {
  const cases: [string, RegExp][] = [
    [run('no-such-run'), /no-such-run: no such run folder/],
    [run('.'), /holds no results\.jsonl/],
    [run('empty'), /holds no finished item yet/],
  ];
  for (const [dir, message] of cases) {
    await assert.rejects(render([dir]), (error: Error & { code?: string; exitCode?: number }) => error.code === 'report-no-run' && error.exitCode === 2 && message.test(error.message), dir);
  }
});

test('reporting reads a run folder and writes nothing into it', async () => {
  const before = readdirSync(run('two-policies')).sort();
  for (const format of ['table', 'md', 'csv', 'json'] as const) await render([run('two-policies')], format);
  assert.deepEqual(readdirSync(run('two-policies')).sort(), before);
});

test('the JSON rendering is the versioned Report', async () => {
  const output = await render([run('two-policies')], 'json');
  const parsed = JSON.parse(output.text) as Record<string, unknown>;
  assert.equal(parsed['format'], 'wdmoe-report');
  assert.equal(parsed['formatVersion'], 3);
  assert.deepEqual(Object.keys(parsed), ['format', 'formatVersion', 'baseline', 'runs', 'accuracy', 'latency', 'breakdown', 'experts', 'devices', 'generation', 'comparison', 'policies', 'testbeds', 'sweep', 'setup', 'energy']);
  assert.deepEqual(parsed, JSON.parse(JSON.stringify(output.report)));
});

test('a series sharing no dataset with the baseline is left out of the comparison with a note', async () => {
  const output = await render([run('two-policies'), run('older-format')]);
  assert.deepEqual(output.report.comparison.map((row) => row.series), ['two-policies/topk', 'two-policies/top1']);
  assert.ok(output.notes.includes('older-format: topk shares no dataset with the baseline two-policies/topk: left out of the comparison'), output.notes.join('\n'));
});
