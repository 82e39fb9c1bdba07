// What the per-layer log keeps of a policy's decision besides the fan-out: each token's gate top-k (experts
// and probabilities) with which of them ran — enough for `simulate --replay` to re-run any policy on a
// recorded run — and the policy-side latency estimate of each device. Pure; called by bs/forward.ts.
import { NO_EXPERT_SLOT, estimateDeviceMs, equalShares, topKCandidates, workOfSlots, type PolicyContext, type PolicyDecision } from '../policy/index.js';

// One layer's routing: n×k gate top-k (best first), their softmax probabilities, and 1/0 per entry for run/dropped.
export interface LayerRouting {
  k: number;
  experts: number[];
  probs: number[];
  kept: number[];
}

// The gate's top-k of every token and which of them the decision kept.
export function recordRouting(ctx: PolicyContext, decision: PolicyDecision): LayerRouting {
  const candidates = topKCandidates(ctx);
  const kept: number[] = new Array<number>(candidates.experts.length).fill(0);
  for (let token = 0; token < ctx.tokens; token++) {
    for (let j = 0; j < candidates.k; j++) {
      const expert = candidates.experts[token * candidates.k + j]!;
      for (let slot = 0; slot < decision.k; slot++) {
        const chosen = decision.experts[token * decision.k + slot]!;
        if (chosen !== NO_EXPERT_SLOT && chosen === expert) kept[token * candidates.k + j] = 1;
      }
    }
  }
  return { k: candidates.k, experts: [...candidates.experts], probs: [...candidates.probs].map((p) => Math.round(p * 1e6) / 1e6), kept };
}

// The policy-side estimate (latency.ts) of each device's finish time under `decision`; 0 for idle devices.
export function estimateDecision(ctx: PolicyContext, decision: PolicyDecision): Float64Array {
  const work = workOfSlots(decision.experts, decision.slotDevice, decision.k, ctx.devices.length);
  const shares = decision.bandwidthShare ?? equalShares(work);
  const rowBytes = ctx.hiddenSize * ctx.bytesPerValue;
  return Float64Array.from(ctx.devices, (device, d) => estimateDeviceMs(device, work[d]!, shares[d] ?? 0, rowBytes));
}
