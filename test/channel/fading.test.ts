import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashIntegers, rayleighPowerGain, shadowingDb, standardNormalAt, uniformAt } from '../../src/channel/fading.js';

test('Rayleigh power gains have mean ≈ 1 and variance ≈ 1 over many blocks (Exp(1))', () => {
  const count = 200_000;
  let sum = 0;
  let sumSquares = 0;
  for (let block = 0; block < count; block += 1) {
    const gain = rayleighPowerGain(7, 3, 'downlink', block);
    assert.ok(gain > 0 && Number.isFinite(gain));
    sum += gain;
    sumSquares += gain * gain;
  }
  const mean = sum / count;
  const variance = sumSquares / count - mean * mean;
  assert.ok(Math.abs(mean - 1) < 0.01, `mean ${mean} over ${count} blocks`);
  assert.ok(Math.abs(variance - 1) < 0.03, `variance ${variance} over ${count} blocks`);
  // P(|h|² < 0.1) = 1 − e^−0.1 ≈ 0.0952: deep fades happen as often as Rayleigh says.
  let deep = 0;
  for (let block = 0; block < count; block += 1) if (rayleighPowerGain(7, 3, 'downlink', block) < 0.1) deep += 1;
  assert.ok(Math.abs(deep / count - (1 - Math.exp(-0.1))) < 0.003, `deep-fade fraction ${deep / count}`);
});

test('the same seed gives the same draws whatever order they are asked in', () => {
  const forward = Array.from({ length: 50 }, (_, block) => rayleighPowerGain(42, 1, 'uplink', block));
  const backward = Array.from({ length: 50 }, (_, index) => rayleighPowerGain(42, 1, 'uplink', 49 - index)).reverse();
  assert.deepEqual(forward, backward);
  const shuffled = [31, 2, 17, 44, 0, 9].map((block) => rayleighPowerGain(42, 1, 'uplink', block));
  assert.deepEqual(shuffled, [31, 2, 17, 44, 0, 9].map((block) => forward[block]));
});

test('different seeds, devices, directions and blocks give different draws', () => {
  const base = rayleighPowerGain(1, 0, 'downlink', 5);
  assert.notEqual(rayleighPowerGain(2, 0, 'downlink', 5), base);
  assert.notEqual(rayleighPowerGain(1, 1, 'downlink', 5), base);
  assert.notEqual(rayleighPowerGain(1, 0, 'uplink', 5), base);
  assert.notEqual(rayleighPowerGain(1, 0, 'downlink', 6), base);
  const seedA = Array.from({ length: 20 }, (_, block) => rayleighPowerGain(0, 0, 'downlink', block));
  const seedB = Array.from({ length: 20 }, (_, block) => rayleighPowerGain(1, 0, 'downlink', block));
  assert.ok(seedA.every((value, index) => value !== seedB[index]));
});

test('downlink and uplink fading are uncorrelated', () => {
  const count = 50_000;
  let sumProduct = 0;
  for (let block = 0; block < count; block += 1) sumProduct += rayleighPowerGain(3, 2, 'downlink', block) * rayleighPowerGain(3, 2, 'uplink', block);
  // E[XY] = E[X]E[Y] = 1 for independent Exp(1) draws; Var(XY) = 3, so the standard error is ≈ 0.008.
  assert.ok(Math.abs(sumProduct / count - 1) < 0.04, `E[down·up] = ${sumProduct / count}`);
});

test('uniform draws stay inside (0, 1), large and negative block indices included', () => {
  for (const block of [0, -1, 2 ** 32, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER]) {
    const u = uniformAt([1, 2, block]);
    assert.ok(u > 0 && u < 1, `u(${block}) = ${u}`);
  }
  assert.notEqual(hashIntegers([1, 2 ** 32]), hashIntegers([1, 0]));
});

test('shadowing is N(0, σ) dB across devices, fixed per device, 0 when σ = 0', () => {
  const count = 50_000;
  const draws = Array.from({ length: count }, (_, device) => shadowingDb(11, device, 8));
  const mean = draws.reduce((sum, value) => sum + value, 0) / count;
  const sigma = Math.sqrt(draws.reduce((sum, value) => sum + (value - mean) ** 2, 0) / count);
  assert.ok(Math.abs(mean) < 0.15, `mean ${mean} dB`);
  assert.ok(Math.abs(sigma - 8) < 0.15, `σ ${sigma} dB`);
  assert.equal(shadowingDb(11, 5, 8), shadowingDb(11, 5, 8));
  assert.equal(shadowingDb(11, 5, 8), 8 * standardNormalAt(11, 5));
  assert.notEqual(shadowingDb(12, 5, 8), shadowingDb(11, 5, 8));
  assert.equal(shadowingDb(11, 5, 0), 0);
});
