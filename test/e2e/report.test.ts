// bin/wdmoe report on the recorded fixture runs: the comparison of two runs with its ratios, every
// format to stdout or --out, exit 2 without a stack trace for a missing or empty run folder; and bench
// printing exactly the tables report prints for its run folder (one code path).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expectedComparison } from '../report/expected.js';
import { run } from '../report/helpers.js';
import { hasStackTrace, killAgents, runWdmoe, tempDir, waitForNoAgents, writeTestbed } from './helpers.js';

test('report on two runs prints the comparison with deltas and ratios against topk of the first run', async () => {
  const result = await runWdmoe(['report', run('two-policies'), run('slow-uplink')]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const stdout = String(result.stdout);
  const comparison = stdout.slice(stdout.indexOf('Comparison with two-policies/topk'));
  assert.ok(comparison.length > 0 && stdout.includes('Comparison with two-policies/topk'), stdout);
  const expected = expectedComparison([{ label: 'two-policies', dir: run('two-policies') }, { label: 'slow-uplink', dir: run('slow-uplink') }], { label: 'two-policies', policy: 'topk' });
  for (const row of expected) {
    const line = comparison.split('\n').find((text) => text.includes(` ${row['run']} `) && text.includes(` ${row['policy']} `));
    assert.ok(line !== undefined, `a comparison line for ${row['run']}/${row['policy']}`);
    for (const key of ['latency_mean_ratio', 'latency_p50_ratio', 'latency_p99_ratio'] as const) {
      assert.ok(line.includes(`×${(row[key] as number).toFixed(2)}`), `${row['run']}/${row['policy']} ${key} ×${(row[key] as number).toFixed(2)} in: ${line}`);
    }
    assert.ok(line.includes(`${(row['acc_delta'] as number) >= 0 ? '+' : ''}${((row['acc_delta'] as number) * 100).toFixed(1)}`), line);
  }
});

test('report writes markdown, csv, json and html with --out, and prints markdown to stdout', async () => {
  const temp = tempDir();
  try {
    const md = await runWdmoe(['report', run('two-policies'), '--format', 'md']);
    assert.equal(md.exitCode, 0, String(md.stderr));
    assert.match(String(md.stdout), /^### Accuracy per dataset × policy[\s\S]*\| dataset \| policy \|[\s\S]*\| ---: \|/m);
    for (const format of ['csv', 'json', 'html'] as const) {
      const file = path.join(temp.dir, `report.${format}`);
      const result = await runWdmoe(['report', run('two-policies'), '--format', format, '--out', file]);
      assert.equal(result.exitCode, 0, String(result.stderr));
      assert.equal(String(result.stdout), '', 'with --out nothing goes to stdout');
      assert.match(String(result.stderr), /wrote .*report\./);
      const text = readFileSync(file, 'utf8');
      if (format === 'csv') assert.match(text, /^table,dataset,policy,n,acc,acc_ci95_low,acc_ci95_high/);
      if (format === 'json') assert.equal(JSON.parse(text).formatVersion, 3);
      if (format === 'html') assert.match(text, /^<!doctype html>[\s\S]*<svg[\s\S]*<\/html>\n$/);
    }
  } finally {
    temp.dispose();
  }
});

test('report on a missing or empty run folder exits 2 with a clear message and no stack trace', async () => {
  for (const [dir, message] of [[run('no-such-run'), /no such run folder/], [run('empty'), /holds no finished item yet/]] as const) {
    const result = await runWdmoe(['report', dir]);
    assert.equal(result.exitCode, 2, String(result.stderr));
    assert.match(String(result.stderr), /^error\[report-no-run\]: /m);
    assert.match(String(result.stderr), message);
    assert.match(String(result.stderr), /^hint: /m);
    assert.ok(!hasStackTrace(String(result.stderr)), String(result.stderr));
  }
});

test('bench ends by printing the same tables report prints for its run folder', async () => {
  const temp = tempDir();
  try {
    const testbed = await writeTestbed(temp.dir, { devices: 2 });
    const out = path.join(temp.dir, 'run');
    const bench = await runWdmoe(['bench', testbed.file, '--dataset', 'add', '--limit', '2', '--policy', 'topk,top1', '--out', out]);
    assert.equal(bench.exitCode, 0, String(bench.stderr));
    const report = await runWdmoe(['report', out]);
    assert.equal(report.exitCode, 0, String(report.stderr));
    const printed = String(bench.stdout).replace(/\nrun folder: .*\n?$/, '');
    assert.equal(printed, String(report.stdout).replace(/\n$/, ''));
    assert.match(printed, /Comparison with topk/);
    assert.deepEqual(await waitForNoAgents(testbed.names[0]!.slice(0, -2)), [], 'no agent left after the run');
  } finally {
    killAgents(path.basename(temp.dir).slice(-6).toLowerCase());
    temp.dispose();
  }
});
