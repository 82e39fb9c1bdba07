import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findProfile, listProfiles, readDeviceProfile, readLinkProfile } from '../../src/testbed/index.js';

const FIXTURE_PROFILES = fileURLToPath(new URL('../fixtures/testbeds/profiles/', import.meta.url));

test('every bundled device profile is valid', () => {
  const names = listProfiles('device');
  for (const expected of ['jetson-agx-orin', 'jetson-orin-nx', 'jetson-orin-nano', 'jetson-xavier-nx', 'this-host']) assert.ok(names.includes(expected), expected);
  for (const name of names) {
    const result = readDeviceProfile(findProfile('device', name)!);
    assert.ok(result.ok, `${name}: ${!result.ok ? JSON.stringify(result.issues) : ''}`);
    assert.ok(result.value.fp32Gflops > 0 && result.value.computeModel.perTokenMs > 0);
  }
});

test('every bundled link profile is valid', () => {
  const names = listProfiles('link');
  for (const expected of ['wifi-20mbit', '5g-100mbit']) assert.ok(names.includes(expected), expected);
  for (const name of names) assert.ok(readLinkProfile(findProfile('link', name)!).ok, name);
  const wifi = readLinkProfile(findProfile('link', 'wifi-20mbit')!);
  assert.ok(wifi.ok);
  assert.deepEqual(wifi.value.link.uplink, { rateBitsPerSec: 20e6, delayMs: 5, jitterMs: 2, lossRate: 0, trace: null });
});

test('extra profile folders are searched before the bundled one', () => {
  assert.equal(findProfile('device', 'tiny-board', [FIXTURE_PROFILES]), join(FIXTURE_PROFILES, 'tiny-board.yaml'));
  assert.equal(findProfile('device', 'tiny-board'), null);
  const board = readDeviceProfile(join(FIXTURE_PROFILES, 'tiny-board.yaml'));
  assert.ok(board.ok);
  assert.deepEqual(board.value.computeModel, { fixedMs: 1, perTokenMs: 0.25 });
});

test('a profile name cannot escape the profiles folder', () => {
  assert.equal(findProfile('device', '../testbeds/loopback'), null);
});

test('an invalid profile file reports its own file:line', () => {
  const result = readDeviceProfile(join(FIXTURE_PROFILES, 'broken.yaml'));
  assert.ok(!result.ok);
  assert.equal(result.issues[0]!.line, 2);
  assert.equal(result.issues[0]!.field, 'fp32_gflops');
});
