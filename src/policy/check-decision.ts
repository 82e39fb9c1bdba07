// Checks a decision against the PolicyDecision contract before the BS acts on it, so a faulty policy
// (a custom module especially) fails with a clear message naming it, never with a crash deep in the
// fan-out or a silently wrong result. O(n·k); called by the policy wrapper of resolve.ts on every call.
import { NO_EXPERT_SLOT } from './slots.js';
import type { PolicyContext, PolicyDecision } from './types.js';

// The first way `decision` breaks the contract for `ctx`, or null when it fits.
export function findDecisionProblem(ctx: PolicyContext, decision: unknown): string | null {
  if (decision === null || typeof decision !== 'object') return `returned ${decision === null ? 'null' : typeof decision}, not a decision object`;
  const d = decision as Partial<PolicyDecision>;
  if (typeof d.k !== 'number' || !Number.isInteger(d.k) || d.k < 0 || d.k > ctx.topK) return `k must be an integer in 0..${ctx.topK} (the model's top-k), got ${String(d.k)}`;
  const slots = ctx.tokens * d.k;
  if (!(d.experts instanceof Uint16Array) || d.experts.length !== slots) return `experts must be a Uint16Array of tokens × k = ${slots}`;
  if (!(d.weights instanceof Float32Array) || d.weights.length !== slots) return `weights must be a Float32Array of tokens × k = ${slots}`;
  if (!(d.slotDevice instanceof Int32Array) || d.slotDevice.length !== slots) return `slotDevice must be an Int32Array of tokens × k = ${slots}`;
  for (let slot = 0; slot < slots; slot++) {
    const expert = d.experts[slot]!;
    if (expert === NO_EXPERT_SLOT) continue;
    const token = Math.floor(slot / d.k);
    if (expert >= ctx.numExperts) return `token ${token}: expert ${expert} does not exist (the layer has ${ctx.numExperts})`;
    const device = d.slotDevice[slot]!;
    if (!(ctx.expertDevices[expert] ?? []).includes(device)) return `token ${token}: expert ${expert} is sent to device index ${device}, which does not hold it`;
    if (ctx.devices[device]?.available === false) return `token ${token}: expert ${expert} is sent to ${ctx.devices[device]!.name}, which is down`;
    const weight = d.weights[slot]!;
    if (!Number.isFinite(weight) || weight < 0) return `token ${token}: weight ${weight} of expert ${expert} is not a finite number ≥ 0`;
  }
  const shares = d.bandwidthShare;
  if (shares !== null) {
    if (!(shares instanceof Float64Array) || shares.length !== ctx.devices.length) return `bandwidthShare must be null or a Float64Array with one share per device (${ctx.devices.length})`;
    let total = 0;
    for (const share of shares) {
      if (!Number.isFinite(share) || share < 0) return `bandwidthShare holds ${share}; shares must be finite and ≥ 0`;
      total += share;
    }
    if (total > 1 + 1e-6) return `bandwidth shares sum to ${total.toFixed(6)}, more than the BS has (1)`;
  }
  return null;
}
