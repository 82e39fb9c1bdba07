import assert from 'node:assert/strict';
import { test } from 'node:test';
import { largeScaleGainDb, pathLossDb } from '../../src/channel/path-loss.js';

const cell = { pathLoss: { interceptDb: 128.1, slopeDb: 37.6 } };

test('path loss is 128.1 dB at 1 km and falls 37.6 dB per decade closer', () => {
  assert.equal(pathLossDb(cell, 1000), 128.1);
  assert.ok(Math.abs(pathLossDb(cell, 100) - (128.1 - 37.6)) < 1e-9);
  assert.ok(Math.abs(pathLossDb(cell, 10_000) - (128.1 + 37.6)) < 1e-9);
  // 120 m: 128.1 + 37.6·log10(0.12) = 128.1 − 34.6228 = 93.4772
  assert.ok(Math.abs(pathLossDb(cell, 120) - 93.47721) < 1e-4);
});

test('the large-scale gain is −path loss, or the explicit path gain when the radio gives one', () => {
  assert.equal(largeScaleGainDb(cell, { distanceM: 1000, pathGainDb: null, txPowerDbm: 23 }), -128.1);
  assert.equal(largeScaleGainDb(cell, { distanceM: null, pathGainDb: -95, txPowerDbm: 23 }), -95);
  assert.throws(() => largeScaleGainDb(cell, { distanceM: null, pathGainDb: null, txPowerDbm: 23 }), RangeError);
});
