// Devices for the synthetic simulator: the testbed's own (with its placement), or N made from them with radio
// distances spread evenly between the nearest and the farthest, compute from fp32_gflops for a shape of numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { assertValidTestbed } from '../../src/testbed/index.js';
import { MODEL_SHAPES, resolveModelShape } from '../../src/sim/model-shape.js';
import { synthesizeDevices } from '../../src/sim/synth-devices.js';

const ROOT = path.join(import.meta.dirname, '../..');
const WIRELESS = path.join(ROOT, 'testbeds/loopback-wireless.yaml');

test('the testbed\'s own devices keep their names, distances, profile compute and placement', async () => {
  const { testbed } = await assertValidTestbed(WIRELESS);
  const devices = synthesizeDevices(testbed, null, resolveModelShape(null, testbed.modelDir, ROOT));
  assert.deepEqual(devices.sources.map((s) => s.name), testbed.devices.map((d) => d.name));
  assert.deepEqual(devices.links.devices.map((d) => d.link.radio?.distanceM), [60, 110, 160, 220, 280, 340, 400, 450]);
  const profile = testbed.profiles.get('this-host')!;
  assert.deepEqual(devices.sources[0]!.compute, profile.computeModel);
  // round-robin: expert e of every layer on device e
  assert.deepEqual(devices.expertDevices[2]![5], [5]);
});

test('64 devices for Mixtral: distances from 60 to 450 m, per-token compute = 6·H·I FLOP / fp32_gflops, 8 replicas of each expert', async () => {
  const { testbed } = await assertValidTestbed(WIRELESS);
  const shape = MODEL_SHAPES['mixtral-8x7b']!;
  const devices = synthesizeDevices(testbed, 64, shape);
  const distances = devices.links.devices.map((d) => d.link.radio!.distanceM!);
  assert.equal(distances.length, 64);
  assert.equal(distances[0], 60);
  assert.equal(distances[63], 450);
  assert.ok(distances.every((d, i) => i === 0 || d > distances[i - 1]!));
  const profile = testbed.profiles.get('this-host')!;
  assert.ok(Math.abs(devices.sources[3]!.compute.perTokenMs - (shape.expertGflopsPerToken! / profile.fp32Gflops) * 1000) < 1e-12);
  assert.deepEqual(devices.expertDevices[1]![0], [7, 15, 23, 31, 39, 47, 55, 63], 'layer 1: device d holds expert (d + 1) mod 8');
  assert.ok(devices.expertDevices.every((layer) => layer.every((holders) => holders.length === 8)));
  const few = synthesizeDevices(testbed, 3, shape);
  assert.deepEqual(few.expertDevices[0]!.map((holders) => holders), [[0], [1], [2], [0], [1], [2], [0], [1]], 'fewer devices than experts: round-robin, no replicas');
});
