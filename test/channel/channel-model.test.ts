import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coherenceBlockAt, fadingGainAt, meanSnr, snrAt } from '../../src/channel/channel-model.js';
import { rayleighPowerGain, shadowingDb } from '../../src/channel/fading.js';
import type { CellParams, DeviceRadio } from '../../src/channel/types.js';

const CELL: CellParams = {
  downlinkBandwidthHz: 20e6, uplinkBandwidthHz: 10e6, bsTxPowerDbm: 43, noisePsdDbmPerHz: -174, noiseFigureDb: 9,
  pathLoss: { interceptDb: 128.1, slopeDb: 37.6 }, shadowingSigmaDb: 0, fading: 'none', coherenceMs: 100,
};
const AT_1KM: DeviceRadio = { distanceM: 1000, pathGainDb: null, txPowerDbm: 23 };

// SNR in dB computed by hand: P − PL − (N0 + NF + 10·log10 B).
const snrDb = (powerDbm: number, lossDb: number, bandwidthHz: number) => powerDbm - lossDb - (-174 + 9 + 10 * Math.log10(bandwidthHz));

test('SNR at 1 km without fading: 43 dBm down over 20 MHz, 23 dBm up over 10 MHz', () => {
  // down: 43 − 128.1 − (−165 + 73.0103) = 6.8897 dB; up: 23 − 128.1 − (−165 + 70) = −10.1 dB.
  const down = snrAt(CELL, AT_1KM, 0, 'downlink', 0, 1);
  const up = snrAt(CELL, AT_1KM, 0, 'uplink', 0, 1);
  assert.ok(Math.abs(10 * Math.log10(down) - 6.889700043360187) < 1e-9, `down ${10 * Math.log10(down)} dB`);
  assert.ok(Math.abs(10 * Math.log10(up) - snrDb(23, 128.1, 10e6)) < 1e-9, `up ${10 * Math.log10(up)} dB`);
  assert.ok(Math.abs(10 * Math.log10(up) - -10.1) < 1e-9);
});

test('an explicit path gain replaces the distance', () => {
  const snr = snrAt(CELL, { distanceM: null, pathGainDb: -95, txPowerDbm: 23 }, 0, 'downlink', 0, 1);
  assert.ok(Math.abs(10 * Math.log10(snr) - snrDb(43, 95, 20e6)) < 1e-9);
});

test('with Rayleigh fading the SNR is the mean SNR × the block\'s Exp(1) draw, constant within a block', () => {
  const cell: CellParams = { ...CELL, fading: 'rayleigh', coherenceMs: 50 };
  const mean = meanSnr(cell, AT_1KM, 2, 'downlink', 9);
  assert.equal(snrAt(cell, AT_1KM, 2, 'downlink', 0, 9), mean * rayleighPowerGain(9, 2, 'downlink', 0));
  assert.equal(snrAt(cell, AT_1KM, 2, 'downlink', 49.9, 9), snrAt(cell, AT_1KM, 2, 'downlink', 0, 9));
  assert.equal(snrAt(cell, AT_1KM, 2, 'downlink', 50, 9), mean * rayleighPowerGain(9, 2, 'downlink', 1));
  assert.notEqual(snrAt(cell, AT_1KM, 2, 'downlink', 50, 9), snrAt(cell, AT_1KM, 2, 'downlink', 0, 9));
  assert.equal(coherenceBlockAt(cell, 149), 2);
  assert.equal(fadingGainAt(CELL, 2, 'downlink', 1234, 9), 1);
});

test('shadowing shifts both directions of a device by the same dB', () => {
  const cell: CellParams = { ...CELL, shadowingSigmaDb: 8 };
  const shift = shadowingDb(5, 3, 8);
  assert.notEqual(shift, 0);
  for (const direction of ['downlink', 'uplink'] as const) {
    const withShadowing = 10 * Math.log10(meanSnr(cell, AT_1KM, 3, direction, 5));
    const without = 10 * Math.log10(meanSnr(CELL, AT_1KM, 3, direction, 5));
    assert.ok(Math.abs(withShadowing - without - shift) < 1e-9);
  }
});
