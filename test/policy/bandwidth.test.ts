// The latency-equalising bandwidth allocation against a brute-force grid search on small cases, and its
// invariants (Σ shares ≤ 1, equal finish times of the share-limited devices) on random ones (fast-check).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { allocateBandwidth, estimateDeviceMs, type DeviceEstimate, type DeviceWork } from '../../src/policy/index.js';
import { context, device, fixedLink, radioDevice } from './helpers.js';

const ROW_BYTES = 4 * 4; // helpers' context: hidden 4, fp32

function finishTimes(devices: readonly DeviceEstimate[], work: readonly DeviceWork[], shares: ArrayLike<number>): number[] {
  return devices.map((d, i) => estimateDeviceMs(d, work[i]!, shares[i]!, ROW_BYTES));
}

// The best max finish time over a grid of shares with step 1/steps (Σ ≤ 1), by exhaustive search.
function gridOptimum(devices: readonly DeviceEstimate[], work: readonly DeviceWork[], steps: number): number {
  let best = Infinity;
  const visit = (index: number, left: number, shares: number[]) => {
    if (index === devices.length) {
      best = Math.min(best, Math.max(...finishTimes(devices, work, shares)));
      return;
    }
    for (let s = 0; s <= left; s++) visit(index + 1, left - s, [...shares, s / steps]);
  };
  visit(0, steps, []);
  return best;
}

const ctxWith = (devices: DeviceEstimate[]) => context([[0.5, 0.5]], { devices, expertDevices: devices.map((_, d) => [d]) });

test('on three wireless devices the allocation matches a grid search and equalises finish times', () => {
  const devices = [radioDevice('near', 1e5), radioDevice('mid', 3e3), radioDevice('far', 50)];
  const work: DeviceWork[] = [{ rows: 40, expertRuns: 1, pairs: 40 }, { rows: 25, expertRuns: 1, pairs: 25 }, { rows: 10, expertRuns: 1, pairs: 10 }];
  const shares = allocateBandwidth(ctxWith(devices), work)!;
  const total = shares.reduce((a, b) => a + b, 0);
  assert.ok(total <= 1 + 1e-9, `Σ shares = ${total}`);
  const times = finishTimes(devices, work, shares);
  const spread = (Math.max(...times) - Math.min(...times)) / Math.max(...times);
  assert.ok(spread < 1e-4, `finish times ${times.join(', ')} should be equal at the optimum`);
  const grid = gridOptimum(devices, work, 200);
  const found = Math.max(...times);
  assert.ok(found <= grid * (1 + 1e-9), `bisection ${found} ms must not be worse than the best grid point ${grid} ms`);
  assert.ok(found >= grid * (1 - 0.05), `bisection ${found} ms is implausibly far below the grid's ${grid} ms`);
  // The far device gets the most bandwidth per row: it has the weakest channel.
  assert.ok(shares[2]! / 10 > shares[0]! / 40, `far ${shares[2]} vs near ${shares[0]}`);
});

test('pooled fixed links: a capped device takes only what it needs, the rest is shared to equal finish', () => {
  const pool = 30e6;
  const devices: DeviceEstimate[] = [
    { ...device('capped'), downlink: fixedLink(5e6, 1, pool), uplink: fixedLink(5e6, 1, pool) },
    { ...device('big-a'), downlink: fixedLink(null, 1, pool), uplink: fixedLink(null, 1, pool) },
    { ...device('big-b'), downlink: fixedLink(null, 1, pool), uplink: fixedLink(null, 1, pool) },
  ];
  const work: DeviceWork[] = [{ rows: 5, expertRuns: 1, pairs: 5 }, { rows: 60, expertRuns: 1, pairs: 60 }, { rows: 30, expertRuns: 1, pairs: 30 }];
  const shares = allocateBandwidth(ctxWith(devices), work)!;
  assert.ok(shares.reduce((a, b) => a + b, 0) <= 1 + 1e-9);
  const found = Math.max(...finishTimes(devices, work, shares));
  const grid = gridOptimum(devices, work, 300);
  assert.ok(found <= grid * (1 + 1e-9), `bisection ${found} vs grid ${grid}`);
  const times = finishTimes(devices, work, shares);
  assert.ok(Math.abs(times[1]! - times[2]!) / times[1]! < 1e-4, `the two uncapped devices finish together: ${times.join(', ')}`);
});

test('idle devices get no share, and links no share changes need no allocation (null)', () => {
  const devices = [radioDevice('a', 1e4), radioDevice('b', 1e4)];
  const shares = allocateBandwidth(ctxWith(devices), [{ rows: 3, expertRuns: 1, pairs: 3 }, { rows: 0, expertRuns: 0, pairs: 0 }])!;
  assert.equal(shares[1], 0);
  assert.ok(Math.abs(shares[0]! - 1) < 1e-9, 'the only active device gets the whole band');
  assert.equal(allocateBandwidth(ctxWith([device('x', 1e6), device('y', null)]), [{ rows: 3, expertRuns: 1, pairs: 3 }, { rows: 2, expertRuns: 1, pairs: 2 }]), null);
});

test('on random wireless layers: Σ ≤ 1, equal finish times, never worse than equal shares', () => {
  fc.assert(fc.property(
    fc.array(fc.record({ snr: fc.double({ min: 1, max: 1e6, noNaN: true }), rows: fc.integer({ min: 1, max: 64 }), fixedMs: fc.double({ min: 0, max: 2, noNaN: true }) }), { minLength: 1, maxLength: 8 }),
    (spec) => {
      const devices = spec.map((s, i) => radioDevice(`d${i}`, s.snr, { compute: { fixedMs: s.fixedMs, perTokenMs: 0.01 } }));
      const work = spec.map((s) => ({ rows: s.rows, expertRuns: 1, pairs: s.rows }));
      const shares = allocateBandwidth(ctxWith(devices), work)!;
      const total = shares.reduce((a, b) => a + b, 0);
      if (total > 1 + 1e-9) return false;
      const times = finishTimes(devices, work, shares);
      const equal = Math.max(...finishTimes(devices, work, spec.map(() => 1 / spec.length)));
      if (Math.max(...times) > equal * (1 + 1e-9)) return false;
      return (Math.max(...times) - Math.min(...times)) / Math.max(...times) < 1e-3; // bisection stops at 1e-5 of T; scaling Σ to 1 spreads a little
    },
  ), { numRuns: 200, seed: 8 });
});

// The allocation as first written (closures over estimateDeviceMs, arrays per step): the definition the typed-array
// version must reproduce number for number.
function plainAllocation(ctx: ReturnType<typeof ctxWith>, work: readonly DeviceWork[]): Float64Array | null {
  const finishTolerance = 1e-4;
  const shareTolerance = 1e-5;
  const rowBytes = ctx.hiddenSize * ctx.bytesPerValue;
  const smallestShare = (finish: (share: number) => number, target: number, tolerance: number, lo = 0, hi = 1): number => {
    if (hi >= 1 && finish(1) > target) return Infinity;
    for (let i = 0; i < 60 && hi - lo > tolerance * hi; i++) {
      const mid = (lo + hi) / 2;
      if (finish(mid) <= target) hi = mid;
      else lo = mid;
    }
    return hi;
  };
  const depends = (link: DeviceEstimate['downlink']) => link.model === 'shannon' || link.poolBitsPerSec !== null;
  const active = work.flatMap((w, d) => (w.rows > 0 ? [d] : []));
  const shares = new Float64Array(work.length);
  const limited = active.filter((d) => depends(ctx.devices[d]!.downlink) || depends(ctx.devices[d]!.uplink));
  if (limited.length === 0) return null;
  const finish = (d: number) => (share: number) => estimateDeviceMs(ctx.devices[d]!, work[d]!, share, rowBytes);
  const finishes = limited.map(finish);
  const floor = Math.max(0, ...active.filter((d) => !limited.includes(d)).map((d) => finish(d)(1)));
  let lo = Math.max(floor, ...finishes.map((f) => f(1)));
  let hi = Math.max(floor, ...finishes.map((f) => f(1 / limited.length)));
  const atHi = finishes.map((f) => smallestShare(f, hi, shareTolerance, 0, 1 / limited.length));
  const atLo = finishes.map((f) => smallestShare(f, lo, shareTolerance));
  if (atLo.reduce((sum, b) => sum + b, 0) <= 1) {
    hi = lo;
    atLo.forEach((b, i) => (atHi[i] = b));
  }
  for (let i = 0; i < 60 && hi - lo > finishTolerance * hi; i++) {
    const mid = (lo + hi) / 2;
    const need = finishes.map((f, j) => smallestShare(f, mid, shareTolerance, atHi[j]! * (1 - shareTolerance), Math.min(1, atLo[j]!)));
    if (need.reduce((sum, b) => sum + b, 0) <= 1) {
      hi = mid;
      need.forEach((b, j) => (atHi[j] = b));
    } else {
      lo = mid;
      need.forEach((b, j) => (atLo[j] = b));
    }
  }
  let total = 0;
  limited.forEach((d, i) => {
    shares[d] = Number.isFinite(atHi[i]!) ? atHi[i]! : 1 / limited.length;
    total += shares[d]!;
  });
  if (total > 1) limited.forEach((d) => (shares[d] = shares[d]! / total));
  return shares;
}

test('the typed-array allocation gives exactly the plain version\'s shares: radio, pooled, fixed and unlimited links, idle devices', () => {
  const link = fc.oneof(
    fc.record({ snr: fc.double({ min: 1e-3, max: 1e6, noNaN: true }), bandwidthHz: fc.constantFrom(1e6, 20e6), delayMs: fc.integer({ min: 0, max: 3 }) })
      .map(({ snr, bandwidthHz, delayMs }) => radioDevice('', snr, { bandwidthHz, delayMs }).downlink),
    fc.record({ rate: fc.option(fc.constantFrom(0, 1e6, 5e6, 2e7)), pool: fc.option(fc.constantFrom(1e7, 3e7)), delayMs: fc.integer({ min: 0, max: 3 }) })
      .map(({ rate, pool, delayMs }) => fixedLink(rate, delayMs, pool)),
  );
  fc.assert(fc.property(
    fc.array(fc.record({ down: link, up: link, rows: fc.integer({ min: 0, max: 64 }), runs: fc.integer({ min: 1, max: 3 }), fixedMs: fc.constantFrom(0, 0.5, 2), perTokenMs: fc.constantFrom(0, 0.01, 0.3) }), { minLength: 1, maxLength: 12 }),
    (spec) => {
      const devices: DeviceEstimate[] = spec.map((s, i) => ({ ...device(`d${i}`), downlink: s.down, uplink: s.up, compute: { fixedMs: s.fixedMs, perTokenMs: s.perTokenMs } }));
      const work = spec.map((s) => ({ rows: s.rows, expertRuns: s.rows === 0 ? 0 : s.runs, pairs: s.rows * s.runs }));
      const ctx = ctxWith(devices);
      assert.deepEqual(allocateBandwidth(ctx, work), plainAllocation(ctx, work));
    },
  ), { numRuns: 400 });
});
