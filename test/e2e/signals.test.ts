// SIGINT/SIGTERM to a running bench, through the real bin/wdmoe: exit 128+n, stderr says it was
// interrupted (not some request the abort cut short), recorded results kept, summary.json written,
// and the agents bench started are stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { agentMarker, hasStackTrace, killAgents, readJsonl, resultKeys, runWdmoe, settleWithin, tempDir, waitForLines, waitForNoAgents, writeTestbed } from './helpers.js';

const SIGNALS = [
  { signal: 'SIGINT', exitCode: 130 },
  { signal: 'SIGTERM', exitCode: 143 },
] as const;

for (const { signal, exitCode } of SIGNALS) {
  test(`${signal} to a running bench exits ${exitCode}, says interrupted, keeps the results, writes the summary and stops its agents`, async () => {
    const temp = tempDir();
    const testbed = await writeTestbed(temp.dir, { devices: 2, link: '{ uplink: { rate: 20mbit, delay: 5ms }, downlink: { rate: 20mbit, delay: 5ms } }' });
    const marker = agentMarker(testbed.names);
    const env = { NO_COLOR: '1', WDMOE_STATE_DIR: path.join(temp.dir, 'state') };
    const out = path.join(temp.dir, 'run');
    try {
      const bench = runWdmoe(['bench', testbed.file, '--dataset', 'add', '--limit', '30', '--out', out], { env, timeout: 60_000 });
      await waitForLines(path.join(out, 'results.jsonl'), 2, 20_000);
      bench.kill(signal);
      const result = await settleWithin(bench, 5000, `bench after ${signal}`);
      const stderr = String(result.stderr);
      assert.equal(result.exitCode, exitCode, stderr);
      assert.match(stderr, new RegExp(`^error\\[interrupted\\]: interrupted by ${signal}$`, 'm'));
      assert.match(stderr, /hint: .*--resume/);
      assert.doesNotMatch(stderr, /^error\[(?!interrupted)/m, 'only the interruption is reported');
      assert.ok(!hasStackTrace(stderr), stderr);

      const lines = readJsonl(path.join(out, 'results.jsonl')); // throws on a torn line
      assert.ok(lines.length >= 2 && lines.length < 30, `${lines.length} results kept`);
      assert.equal(new Set(resultKeys(lines)).size, lines.length);
      const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as { groups: Array<{ n: number }> };
      assert.equal(summary.groups[0]?.n, lines.length, 'summary.json covers the kept results');
      assert.deepEqual(await waitForNoAgents(marker, 3000), [], 'no agent left');
    } finally {
      killAgents(marker);
      temp.dispose();
    }
  });
}
