import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEADLINE_FLOOR_MS, DEADLINE_SAFETY_FACTOR, deriveRequestDeadlineMs } from '../../src/bs/request-deadline.js';
import { estimateDeviceMs, UNLIMITED_LINK, type DeviceEstimate } from '../../src/policy/index.js';

const fixed = (rateBitsPerSec: number | null, delayMs: number) => ({ ...UNLIMITED_LINK, rateBitsPerSec, delayMs });
const device = (rate: number | null, delayMs: number): DeviceEstimate => ({
  name: 'd', downlink: fixed(rate, delayMs), uplink: fixed(rate, delayMs), compute: { fixedMs: 5, perTokenMs: 1 }, available: true,
});

test('a request gets its estimate times the safety factor when that is above the floor and below the cap', () => {
  // 100 rows × 4 KiB each way at 1 Mbit/s = 3276.8 ms + 10 ms delay, twice; compute 2 experts × 5 + 150 pairs × 1
  const estimate = estimateDeviceMs(device(1_000_000, 10), { rows: 100, expertRuns: 2, pairs: 150 }, 1, 4096);
  assert.ok(Math.abs(estimate - (2 * (3276.8 + 10) + 160)) < 1e-6, `estimate ${estimate}`);
  assert.equal(deriveRequestDeadlineMs(estimate, 60_000), Math.ceil(estimate * DEADLINE_SAFETY_FACTOR));
});

test('a quick request gets the floor, a slow one the cap (timeouts.request), and the cap wins over the floor', () => {
  assert.equal(deriveRequestDeadlineMs(1, 30_000), DEADLINE_FLOOR_MS);
  assert.equal(deriveRequestDeadlineMs(0, 30_000), DEADLINE_FLOOR_MS);
  assert.equal(deriveRequestDeadlineMs(20_000, 30_000), 30_000);
  assert.equal(deriveRequestDeadlineMs(1, 500), 500);
});

test('an estimate that cannot be made (a link at rate 0) gets the cap', () => {
  const estimate = estimateDeviceMs(device(0, 1), { rows: 1, expertRuns: 1, pairs: 1 }, 1, 4096);
  assert.equal(estimate, Infinity);
  assert.equal(deriveRequestDeadlineMs(estimate, 10_000), 10_000);
  assert.equal(deriveRequestDeadlineMs(Number.NaN, 10_000), 10_000);
});
