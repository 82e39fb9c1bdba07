import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignReplicas } from '../../src/policy/replicas.js';
import fc from 'fast-check';
import { estimateDeviceMs } from '../../src/policy/latency.js';
import { context, device } from './helpers.js';

test('a replicated expert goes to the replica with the lowest estimated latency', () => {
  // Expert 0 lives on a slow device (index 0) and a fast one (index 1).
  const ctx = context([[0.9, 0.1]], {
    devices: [device('slow', 1e6, 50), device('fast', 1e9, 1)],
    expertDevices: [[0, 1], [0]],
  });
  const slots = assignReplicas(ctx, new Uint16Array([0, 1]), 2);
  assert.deepEqual([...slots], [1, 0]);
});

test('replicas spread the load of many tokens over equal devices', () => {
  const ctx = context(Array.from({ length: 6 }, () => [0.9, 0.1]), {
    devices: [device('a', 1e6, 1), device('b', 1e6, 1)],
    expertDevices: [[0, 1], [0, 1]],
  });
  const slots = assignReplicas(ctx, new Uint16Array(Array.from({ length: 6 }, () => 0)), 1);
  const onA = [...slots].filter((d) => d === 0).length;
  assert.equal(onA, 3, `expected an even split, got ${[...slots].join(',')}`);
});

// The scan every slot used before the heap (the definition: lowest estimate, ties to the earliest holder).
function scanReference(ctx: Parameters<typeof assignReplicas>[0], experts: Uint16Array, k: number): number[] {
  const rowBytes = ctx.hiddenSize * ctx.bytesPerValue;
  const share = 1 / Math.max(1, ctx.devices.length);
  const work = ctx.devices.map(() => ({ rows: 0, expertRuns: 0, pairs: 0 }));
  const runs = ctx.devices.map(() => new Set<number>());
  const out: number[] = [];
  for (let token = 0; token < experts.length / k; token++) {
    const owners = new Set<number>();
    for (let j = 0; j < k; j++) {
      const expert = experts[token * k + j]!;
      const replicas = ctx.expertDevices[expert]!.filter((d) => ctx.devices[d]!.available !== false);
      let best = replicas[0] ?? -1;
      let bestCost = Infinity;
      for (const d of replicas.length > 1 ? replicas : []) {
        const w = work[d]!;
        const next = { rows: w.rows + (owners.has(d) ? 0 : 1), expertRuns: w.expertRuns + (runs[d]!.has(expert) ? 0 : 1), pairs: w.pairs + 1 };
        const cost = estimateDeviceMs(ctx.devices[d]!, next, share, rowBytes);
        if (cost < bestCost) [best, bestCost] = [d, cost];
      }
      out.push(best);
      if (best < 0) continue;
      if (!owners.has(best)) { owners.add(best); work[best]!.rows += 1; }
      if (!runs[best]!.has(expert)) { runs[best]!.add(expert); work[best]!.expertRuns += 1; }
      work[best]!.pairs += 1;
    }
  }
  return out;
}

test('with many replicas (the heap path) every slot goes where the scan sends it, ties and unavailable devices included', () => {
  fc.assert(fc.property(
    fc.integer({ min: 9, max: 40 }), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    (devices, experts, tokens, seed) => {
      let state = seed || 1;
      const random = () => ((state = (state * 48271) % 2147483647) / 2147483647);
      const speeds = [1e6, 2e6, 5e6]; // few distinct rates: ties happen
      const ctx = context(Array.from({ length: tokens }, () => Array.from({ length: experts }, () => 1 / experts)), {
        devices: Array.from({ length: devices }, (_, d) => ({ ...device(`d${d}`, speeds[Math.floor(random() * 3)]!, Math.floor(random() * 3), { fixedMs: Math.floor(random() * 2), perTokenMs: 0.5 }), available: random() > 0.1 })),
        expertDevices: Array.from({ length: experts }, (_, e) => Array.from({ length: devices }, (_, d) => d).filter((d) => d % experts === e || random() < 0.5)),
      });
      const k = 2;
      const chosen = new Uint16Array(Array.from({ length: tokens * k }, (_, i) => (Math.floor(i / k) + (i % k)) % experts));
      assert.deepEqual([...assignReplicas(ctx, chosen, k)], scanReference(ctx, chosen, k));
    }), { numRuns: 300 });
});
