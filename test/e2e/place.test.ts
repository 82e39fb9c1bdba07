// bin/wdmoe place on the recorded sim-replay run: the table (testbed's placement, greedy, proposed, one device),
// the one-device line, the YAML it writes (valid: wdmoe validate passes it), and exit 2 without a stack trace
// for a missing --from or a testbed of other devices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { hasStackTrace, ROOT, runWdmoe, tempDir } from './helpers.js';

const TESTBED = path.join(ROOT, 'test/fixtures/sim/wireless-4.yaml');
const RUN = path.join(ROOT, 'test/fixtures/runs/sim-replay');

test('wdmoe place prints the predicted latency per placement and policy, the one-device line, and writes a valid testbed', async () => {
  const temp = tempDir('wdmoe-e2e-place-');
  try {
    const out = path.join(temp.dir, 'placed.yaml');
    const result = await runWdmoe(['place', TESTBED, '--from', RUN, '--out', out, '--iterations', '20']);
    assert.equal(result.exitCode, 0, String(result.stderr));
    const stdout = String(result.stdout);
    for (const row of ['testbed\'s placement', 'greedy', 'proposed', 'one device holds all']) assert.match(stdout, new RegExp(row), stdout);
    assert.match(stdout, /split is (SLOWER|faster) than running on one device/);
    assert.match(stdout, new RegExp(`wrote ${out.replaceAll('/', '\\/')}`));
    assert.match(readFileSync(out, 'utf8'), /# placement proposed by wdmoe place from/);
    const validate = await runWdmoe(['validate', out]);
    assert.equal(validate.exitCode, 0, String(validate.stderr) + String(validate.stdout));
    const json = await runWdmoe(['place', TESTBED, '--from', RUN, '--out', out, '--iterations', '20', '--json']);
    const report = JSON.parse(String(json.stdout));
    assert.ok(report.predictions[2].score < report.predictions[0].score, 'proposed beats the testbed\'s placement');
  } finally {
    temp.dispose();
  }
});

test('wdmoe place without --from, or with a testbed of other devices, exits 2 with a hint and no stack trace', async () => {
  for (const [args, message] of [
    [['place', TESTBED], /error\[sim-usage\]: give the run to learn from/],
    [['place', path.join(ROOT, 'testbeds/loopback-wireless.yaml'), '--from', RUN, '--out', '/tmp/never.yaml'], /error\[sim-place-mismatch\]/],
  ] as const) {
    const result = await runWdmoe(args);
    assert.equal(result.exitCode, 2, String(result.stderr));
    assert.match(String(result.stderr), message);
    assert.match(String(result.stderr), /hint: /);
    assert.ok(!hasStackTrace(String(result.stderr)), String(result.stderr));
  }
});
