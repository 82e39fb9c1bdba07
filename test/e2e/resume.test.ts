// Killing bench mid-run and resuming it, through the real bin/wdmoe: the child agents die with the
// bench, --resume completes the run with every item exactly once and no torn line, and a bench into
// an existing run folder without --resume is refused with a hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ROOT,
  agentMarker,
  countLines,
  hasStackTrace,
  killAgents,
  readJsonl,
  resultKeys,
  runWdmoe,
  settleWithin,
  tempDir,
  waitForLines,
  waitForNoAgents,
  writeTestbed,
} from './helpers.js';

const LIMIT = 10;

test('bench killed with SIGKILL mid-run takes its agents with it, and --resume records the full set once with no torn line', async () => {
  const temp = tempDir();
  const testbed = await writeTestbed(temp.dir, { devices: 2, link: '{ uplink: { rate: 20mbit, delay: 5ms }, downlink: { rate: 20mbit, delay: 5ms } }' });
  const marker = agentMarker(testbed.names);
  const env = { NO_COLOR: '1', WDMOE_STATE_DIR: path.join(temp.dir, 'state') };
  const out = path.join(temp.dir, 'run');
  const results = path.join(out, 'results.jsonl');
  const args = ['bench', testbed.file, '--dataset', 'add', '--limit', String(LIMIT), '--out', out];
  try {
    const first = runWdmoe(args, { env, timeout: 60_000 });
    await waitForLines(results, 2, 20_000);
    first.kill('SIGKILL');
    const killed = await settleWithin(first, 5000, 'bench after SIGKILL');
    assert.equal(killed.signal, 'SIGKILL');
    const recorded = countLines(results);
    assert.ok(recorded < LIMIT, `the first run was cut short (${recorded} of ${LIMIT} recorded)`);
    assert.deepEqual(await waitForNoAgents(marker, 3000), [], 'agents started by bench (--parent-pid) exit within 3 s of its death');

    const resumed = await runWdmoe([...args, '--resume', '--json'], { env, timeout: 60_000 });
    assert.equal(resumed.exitCode, 0, String(resumed.stderr));
    const report = JSON.parse(String(resumed.stdout)) as { itemsRun: number; itemsResumed: number; summary: { groups: Array<{ n: number }> } };
    assert.equal(report.itemsResumed, recorded, 'every complete line of the killed run is kept');
    assert.equal(report.itemsRun + report.itemsResumed, LIMIT);

    const lines = readJsonl(results); // throws on a torn line
    const expectedIds = readJsonl<{ id: string }>(path.join(ROOT, 'datasets/add.jsonl')).slice(0, LIMIT).map((item) => `add/topk/${item.id}`);
    assert.deepEqual([...resultKeys(lines)].sort(), [...expectedIds].sort(), 'the full result set, no (dataset, policy, id) twice');
    assert.equal(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')).groups[0].n, LIMIT);
    assert.equal(report.summary.groups[0]?.n, LIMIT);
    assert.deepEqual(await waitForNoAgents(marker), [], 'no agent left after the resumed run');

    // The same folder again without --resume: refused before anything runs, results untouched.
    const before = readFileSync(results, 'utf8');
    const again = await runWdmoe(args, { env, timeout: 30_000 });
    assert.equal(again.exitCode, 2, String(again.stderr));
    assert.match(String(again.stderr), new RegExp(`error\\[bench-run-exists\\]: run folder ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} already holds a run`));
    assert.match(String(again.stderr), /hint: pass --resume/);
    assert.ok(!hasStackTrace(String(again.stderr)));
    assert.equal(readFileSync(results, 'utf8'), before);
    assert.deepEqual(await waitForNoAgents(marker, 1000), []);
  } finally {
    killAgents(marker);
    temp.dispose();
  }
});

test('a torn last line in results.jsonl (a crash mid-write) is reported by report and cut off by --resume, which then completes; a changed testbed is refused naming the setting', async () => {
  const temp = tempDir();
  const link = (rate: string) => `{ uplink: { rate: ${rate}, delay: 1ms }, downlink: { rate: 20mbit, delay: 1ms } }`;
  const testbed = await writeTestbed(temp.dir, { devices: 2, link: link('20mbit') });
  const marker = agentMarker(testbed.names);
  const env = { NO_COLOR: '1', WDMOE_STATE_DIR: path.join(temp.dir, 'state') };
  const out = path.join(temp.dir, 'run');
  const results = path.join(out, 'results.jsonl');
  const bench = (limit: number, ...more: string[]) => runWdmoe(['bench', testbed.file, '--dataset', 'add', '--limit', String(limit), '--out', out, '--no-link-check', ...more], { env, timeout: 60_000 });
  try {
    const first = await bench(3);
    assert.equal(first.exitCode, 0, String(first.stderr));
    const whole = readFileSync(results, 'utf8');
    const fragment = whole.split('\n')[0]!.replace('"id":"', '"id":"torn-').slice(0, 40); // half a line, no "\n"
    appendFileSync(results, fragment);

    const report = await runWdmoe(['report', out], { env, timeout: 30_000 });
    assert.equal(report.exitCode, 0, String(report.stderr));
    assert.match(String(report.stdout), /half-finished: .*results\.jsonl:4: ignoring a torn last line \(40 bytes\)/, 'the report notes the torn line');
    assert.match(String(report.stdout), /│ add +│ topk +│ +3 │/, 'and reports the 3 whole lines');
    assert.ok(!hasStackTrace(String(report.stderr)));

    const resumed = await bench(5, '--resume', '--json');
    assert.equal(resumed.exitCode, 0, String(resumed.stderr));
    assert.match(String(resumed.stderr), /results\.jsonl ended in a torn line \(40 bytes\), removed/);
    const summary = JSON.parse(String(resumed.stdout)) as { itemsRun: number; itemsResumed: number };
    assert.deepEqual([summary.itemsResumed, summary.itemsRun], [3, 2]);
    const lines = readJsonl(results); // throws on a torn line
    assert.equal(lines.length, 5);
    assert.ok(readFileSync(results, 'utf8').startsWith(whole), 'the committed lines are kept byte for byte');

    // The same folder with one device's uplink rate changed: refused, naming the setting, nothing written.
    writeFileSync(testbed.file, readFileSync(testbed.file, 'utf8').replace(link('20mbit'), link('10mbit')));
    const before = readFileSync(results, 'utf8');
    const changed = await bench(6, '--resume');
    assert.equal(changed.exitCode, 2, String(changed.stderr));
    assert.match(String(changed.stderr), new RegExp(`error\\[bench-cannot-resume\\]: cannot resume .*: the testbed changed since the run started \\(devices\\[${testbed.names[0]}\\]\\.link\\.uplink\\.rateBitsPerSec: 20000000 then, 10000000 now; devices\\[${testbed.names[1]}\\]\\.link\\.uplink\\.rateBitsPerSec: 20000000 then, 10000000 now\\)`));
    assert.match(String(changed.stderr), /hint: resume with the testbed, model and flags the run started with \(its resolved testbed: .*testbed\.yaml\)/);
    assert.ok(!hasStackTrace(String(changed.stderr)));
    assert.equal(readFileSync(results, 'utf8'), before);
    assert.deepEqual(await waitForNoAgents(marker, 3000), []);
  } finally {
    killAgents(marker);
    temp.dispose();
  }
});
