// Per-device work of a layer's decision (rows received, distinct experts run, (token, expert) pairs)
// and the equal bandwidth split among the devices that get work. A token crosses a device's link once,
// whatever number of its experts live there (DESIGN.md "The wire protocol"). Pure.
import type { DeviceWork } from './latency.js';
import { NO_EXPERT_SLOT } from './slots.js';

// The work each of `deviceCount` devices gets from n×k slots (experts, slotDevice).
export function workOfSlots(experts: Uint16Array, slotDevice: Int32Array, k: number, deviceCount: number): DeviceWork[] {
  const work: DeviceWork[] = Array.from({ length: deviceCount }, () => ({ rows: 0, expertRuns: 0, pairs: 0 }));
  const runs = Array.from({ length: deviceCount }, () => new Set<number>());
  const tokens = k === 0 ? 0 : experts.length / k;
  const seen = new Int32Array(deviceCount).fill(-1); // last token counted as a row of each device
  for (let token = 0; token < tokens; token++) {
    for (let j = 0; j < k; j++) {
      const slot = token * k + j;
      const device = slotDevice[slot]!;
      if (experts[slot] === NO_EXPERT_SLOT || device < 0) continue;
      const w = work[device]!;
      w.pairs += 1;
      if (seen[device] !== token) {
        seen[device] = token;
        w.rows += 1;
      }
      runs[device]!.add(experts[slot]!);
    }
  }
  runs.forEach((set, device) => (work[device]!.expertRuns = set.size));
  return work;
}

// 1/|active| for every device with work, 0 for the rest (the "equal bandwidth" of vanilla MoE).
export function equalShares(work: readonly DeviceWork[]): Float64Array {
  const active = work.filter((w) => w.rows > 0).length;
  const shares = new Float64Array(work.length);
  if (active === 0) return shares;
  work.forEach((w, device) => (shares[device] = w.rows > 0 ? 1 / active : 0));
  return shares;
}
