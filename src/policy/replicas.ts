// Chooses, for every (token, expert) slot, which replica device runs it: the available one whose
// estimated finish time, with this slot added, is lowest (PAPERS.md: "the replica with the lowest
// estimated latency"). Pure; called by every built-in policy through selection.ts.
import { estimateDeviceMs, type DeviceWork } from './latency.js';
import { NO_EXPERT_SLOT } from './slots.js';
import type { PolicyContext } from './types.js';

// slotDevice (n×k device indices, -1 for unused slots or experts with no available replica).
// `shareOf(d)` is the bandwidth share the estimate assumes for device d (default: an equal split over all devices).
export function assignReplicas(ctx: PolicyContext, experts: Uint16Array, k: number, shareOf?: (device: number) => number): Int32Array {
  const slotDevice = new Int32Array(experts.length).fill(-1);
  const rowBytes = ctx.hiddenSize * ctx.bytesPerValue;
  const share = shareOf ?? (() => 1 / Math.max(1, ctx.devices.length));
  const work: DeviceWork[] = ctx.devices.map(() => ({ rows: 0, expertRuns: 0, pairs: 0 }));
  const runs = ctx.devices.map(() => new Set<number>());
  const tokens = k === 0 ? 0 : experts.length / k;
  for (let token = 0; token < tokens; token++) {
    const rowOwners = new Set<number>(); // a token crosses a link once per device
    for (let j = 0; j < k; j++) {
      const expert = experts[token * k + j]!;
      if (expert === NO_EXPERT_SLOT) continue;
      const replicas = (ctx.expertDevices[expert] ?? []).filter((d) => ctx.devices[d]?.available !== false);
      let best = replicas[0] ?? -1;
      if (replicas.length > 1) {
        let bestCost = Infinity;
        for (const d of replicas) {
          const w = work[d]!;
          const next = { rows: w.rows + (rowOwners.has(d) ? 0 : 1), expertRuns: w.expertRuns + (runs[d]!.has(expert) ? 0 : 1), pairs: w.pairs + 1 };
          const cost = estimateDeviceMs(ctx.devices[d]!, next, share(d), rowBytes);
          if (cost < bestCost) [best, bestCost] = [d, cost];
        }
      }
      if (best < 0) continue;
      slotDevice[token * k + j] = best;
      const w = work[best]!;
      if (!rowOwners.has(best)) {
        rowOwners.add(best);
        w.rows += 1;
      }
      if (!runs[best]!.has(expert)) {
        runs[best]!.add(expert);
        w.expertRuns += 1;
      }
      w.pairs += 1;
    }
  }
  return slotDevice;
}
