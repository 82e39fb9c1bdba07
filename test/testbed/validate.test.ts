import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertValidTestbed, TestbedError, validateTestbed } from '../../src/testbed/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/testbeds/', import.meta.url));

test('validateTestbed answers ok with the testbed for a valid file', async () => {
  const result = await validateTestbed(join(ROOT, 'testbeds/loopback.yaml'));
  assert.ok(result.ok, !result.ok ? JSON.stringify(result.errors) : '');
  assert.equal(result.testbed.devices.length, 8);
});

test('validateTestbed answers the located errors for an invalid file, without throwing', async () => {
  const result = await validateTestbed(join(FIXTURES, 'invalid.yaml'));
  assert.ok(!result.ok);
  assert.deepEqual(result.errors.map((issue) => `${issue.line}:${issue.col} ${issue.field}`), ['3:5 devices[0].name', '3:5 devices[0].nmae']);
});

test('assertValidTestbed throws a TestbedError (exit code 2) for an invalid file', async () => {
  await assert.rejects(assertValidTestbed(join(FIXTURES, 'invalid.yaml')), (error: unknown) => error instanceof TestbedError && error.exitCode === 2);
});
