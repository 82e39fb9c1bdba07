// bin/wdmoe profile through real agents: measures compute vs tokens and the links, writes a device profile
// beside the testbed that the testbed then resolves to (and so bench's policies use); bad flags exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readDeviceProfile } from '../../src/testbed/index.js';
import { agentMarker, hasStackTrace, killAgents, runWdmoe, tempDir, waitForNoAgents, writeTestbed } from './helpers.js';

test('profile measures each device, writes profiles/<profile>.yaml beside the testbed, and the testbed then uses it', { timeout: 180_000 }, async () => {
  const temp = tempDir();
  const testbed = await writeTestbed(temp.dir, { devices: 2, link: '{ uplink: { rate: 50mbit, delay: 2ms }, downlink: { rate: 50mbit, delay: 2ms } }' });
  const marker = agentMarker(testbed.names);
  try {
    const result = await runWdmoe(['profile', testbed.file, '--tokens', '1,8,32', '--repeats', '3', '--json'], { timeout: 150_000 });
    assert.equal(result.exitCode, 0, String(result.stderr));
    const measured = JSON.parse(String(result.stdout));
    assert.equal(measured.profiles.length, 1);
    const [profile] = measured.profiles;
    assert.equal(profile.name, 'this-host');
    assert.deepEqual(profile.devices, testbed.names);
    for (const device of profile.samples) assert.deepEqual(device.samples.map((s: { tokens: number }) => s.tokens), [1, 8, 32]);
    assert.ok(profile.fit.fixedMs >= 0 && profile.fit.perTokenMs >= 0 && profile.fit.residualMs >= 0);
    assert.equal(measured.links.length, 2, 'both shaped links checked');
    for (const link of measured.links) assert.ok(link.expectedMs > 4 && link.measuredMs > 0, JSON.stringify(link));

    const file = path.join(temp.dir, 'profiles', 'this-host.yaml');
    assert.equal(profile.file, file);
    const read = readDeviceProfile(file);
    assert.ok(read.ok, JSON.stringify(read));
    if (read.ok) {
      assert.equal(read.value.isEstimate, false);
      assert.ok(Math.abs(read.value.computeModel.fixedMs - profile.fit.fixedMs) <= 1e-3 * Math.max(1e-3, profile.fit.fixedMs) + 1e-6);
    }
    const validated = await runWdmoe(['validate', testbed.file, '--json']);
    assert.equal(validated.exitCode, 0, String(validated.stderr));
    assert.equal(JSON.parse(String(validated.stdout)).testbed.profiles['this-host'].file, file, 'the testbed resolves to the measured profile');
    assert.deepEqual(await waitForNoAgents(marker), []);
  } finally {
    killAgents(marker);
    temp.dispose();
  }
});

test('profile refuses a token list it cannot fit a line to (exit 2, before starting anything)', async () => {
  const temp = tempDir();
  try {
    const testbed = await writeTestbed(temp.dir, { devices: 1 });
    const result = await runWdmoe(['profile', testbed.file, '--tokens', '4']);
    assert.equal(result.exitCode, 2);
    assert.match(String(result.stderr), /--tokens.*expected at least two different positive integers/);
    assert.ok(!hasStackTrace(String(result.stderr)));
    assert.equal(existsSync(path.join(temp.dir, 'profiles')), false);
  } finally {
    temp.dispose();
  }
});
