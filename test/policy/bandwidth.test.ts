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
