import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clampShare, dbmToWatts, dbToLinear, linearToDb, rateAtShare, shannonRateBitsPerSec } from '../../src/channel/rate.js';
import type { LinkState } from '../../src/channel/types.js';

const close = (actual: number | null, expected: number, tolerance = 1e-9) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `expected ${expected}, got ${actual}`);

const fixed = (rateBitsPerSec: number | null, poolBitsPerSec: number | null): LinkState =>
  ({ model: 'fixed', rateBitsPerSec, poolBitsPerSec, delayMs: 0, jitterMs: 0, lossRate: 0 });
const shannon = (bandwidthHz: number, snr: number): LinkState => ({ model: 'shannon', bandwidthHz, snr, delayMs: 0, jitterMs: 0, lossRate: 0 });

test('a fixed link without a pool keeps its own rate whatever the share', () => {
  assert.equal(rateAtShare(fixed(20e6, null), 0), 20e6);
  assert.equal(rateAtShare(fixed(20e6, null), 0.3), 20e6);
  assert.equal(rateAtShare(fixed(null, null), 0.5), null);
});

test('a fixed link with a pool gets min(rate, share × pool), 0 at share 0', () => {
  assert.equal(rateAtShare(fixed(20e6, 100e6), 0.1), 10e6);
  assert.equal(rateAtShare(fixed(20e6, 100e6), 0.5), 20e6);
  assert.equal(rateAtShare(fixed(null, 100e6), 0.25), 25e6);
  assert.equal(rateAtShare(fixed(20e6, 100e6), 0), 0);
});

test('a shannon link: share·B·log2(1 + snr/share), checked by hand', () => {
  // B = 20 MHz, snr = 15: whole band 20e6·log2(16) = 80 Mbit/s.
  close(rateAtShare(shannon(20e6, 15), 1), 80e6);
  // share 0.5: 10e6 · log2(1 + 30) = 10e6 · 4.954196310386876
  close(rateAtShare(shannon(20e6, 15), 0.5), 10e6 * Math.log2(31));
  close(rateAtShare(shannon(20e6, 15), 0.5), 49_541_963.10386876, 1e-12);
  // share 0.25, snr 3: 5e6 · log2(13) = 18 502 198.4...
  close(rateAtShare(shannon(20e6, 3), 0.25), 5e6 * 3.700439718141092);
  assert.equal(rateAtShare(shannon(20e6, 15), 0), 0);
});

test('a shannon rate is increasing and concave in the share', () => {
  const state = shannon(20e6, dbToLinear(10));
  const shares = Array.from({ length: 101 }, (_, index) => index / 100);
  const rates = shares.map((share) => rateAtShare(state, share)!);
  for (let index = 1; index < rates.length; index += 1) assert.ok(rates[index]! > rates[index - 1]!, `not increasing at ${shares[index]}`);
  for (let index = 1; index < rates.length - 1; index += 1) {
    const secondDifference = rates[index + 1]! - 2 * rates[index]! + rates[index - 1]!;
    assert.ok(secondDifference < 0, `not concave at ${shares[index]}: ${secondDifference}`);
  }
});

test('shares are clamped to [0, 1]; NaN and negatives give 0', () => {
  assert.equal(clampShare(Number.NaN), 0);
  assert.equal(clampShare(-0.2), 0);
  assert.equal(clampShare(1.7), 1);
  assert.equal(clampShare(0.4), 0.4);
  assert.equal(rateAtShare(shannon(20e6, 15), Number.NaN), 0);
  assert.equal(rateAtShare(shannon(20e6, 15), -1), 0);
  close(rateAtShare(shannon(20e6, 15), 3), 80e6);
  assert.equal(rateAtShare(fixed(20e6, 100e6), Number.NaN), 0);
});

test('shannonRateBitsPerSec is B·log2(1 + snr), 0 for no band or no signal', () => {
  close(shannonRateBitsPerSec(1e6, 1), 1e6);
  close(shannonRateBitsPerSec(20e6, 255), 160e6);
  assert.equal(shannonRateBitsPerSec(0, 10), 0);
  assert.equal(shannonRateBitsPerSec(20e6, 0), 0);
});

test('dB and dBm conversions', () => {
  close(dbToLinear(10), 10);
  close(dbToLinear(-3), 0.5011872336272722);
  close(linearToDb(100), 20);
  close(dbmToWatts(30), 1);
  close(dbmToWatts(43), 19.952623149688797);
  close(dbmToWatts(-174), 3.981071705534969e-21);
});
