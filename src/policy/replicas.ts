// Chooses, for every (token, expert) slot, which replica device runs it: the one whose estimated
// finish time grows least (PAPERS.md: "the replica with the lowest estimated latency").
import { estimateDeviceMs } from './latency.js';
import { NO_EXPERT_SLOT } from './slots.js';
import type { PolicyContext } from './types.js';

// Returns slotDevice (n×k device indices, -1 for unused slots) for the given experts.
export function assignReplicas(ctx: PolicyContext, experts: Uint16Array, k: number): Int32Array {
  const slotDevice = new Int32Array(experts.length).fill(-1);
  const rowBytes = ctx.hiddenSize * ctx.bytesPerValue;
  const rows = new Array<number>(ctx.devices.length).fill(0);
  const runs = new Array<Set<number>>(ctx.devices.length);
  for (let d = 0; d < ctx.devices.length; d++) runs[d] = new Set();
  for (let token = 0; token < ctx.tokens; token++) {
    const rowOwners = new Set<number>(); // a token crosses a link once per device
    for (let j = 0; j < k; j++) {
      const expert = experts[token * k + j]!;
      if (expert === NO_EXPERT_SLOT) continue;
      const replicas = ctx.expertDevices[expert] ?? [];
      let best = replicas[0] ?? -1;
      if (replicas.length > 1) {
        let bestCost = Infinity;
        for (const d of replicas) {
          const extraRows = rowOwners.has(d) ? 0 : 1;
          const extraRuns = runs[d]!.has(expert) ? 0 : 1;
          const device = ctx.devices[d]!;
          const cost = estimateDeviceMs(device, rows[d]! + extraRows, runs[d]!.size + extraRuns, rowBytes);
          if (cost < bestCost) [best, bestCost] = [d, cost];
        }
      }
      if (best < 0) continue;
      slotDevice[token * k + j] = best;
      if (!rowOwners.has(best)) {
        rowOwners.add(best);
        rows[best]! += 1;
      }
      runs[best]!.add(expert);
    }
  }
  return slotDevice;
}
