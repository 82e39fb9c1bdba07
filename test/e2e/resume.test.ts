// Killing bench mid-run and resuming it, through the real bin/wdmoe: the child agents die with the
// bench, --resume completes the run with every item exactly once and no torn line, and a bench into
// an existing run folder without --resume is refused with a hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
