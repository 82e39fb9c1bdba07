// The building blocks every selection policy shares: each token's top-k candidates from the gate, a
// keep mask over them, and the decision that mask makes (kept slots packed left, weights renormalised,
// replicas chosen). Pure; called by topk/top1/random1/wlr/bw/wdmoe.
import { topKOfRow } from './gate.js';
import { assignReplicas } from './replicas.js';
import { NO_EXPERT_SLOT } from './slots.js';
import type { PolicyContext, PolicyDecision } from './types.js';

// Each token's top-k experts (best first) and their raw gate probabilities, n×k.
export interface Candidates {
  readonly k: number;
  readonly experts: Uint16Array;
  readonly probs: Float32Array;
}

// The gate's top-k of every token, in topKOfRow's order (largest first, ties to the lower index), chosen by
// insertion into the token's k slots: nothing allocated per token (the simulator: 10,000 tokens × 32 layers).
// A row holding NaN has no such order; it goes through topKOfRow itself.
export function topKCandidates(ctx: PolicyContext): Candidates {
  const k = ctx.topK;
  const columns = ctx.numExperts;
  const kept = Math.min(k, columns);
  const experts = new Uint16Array(ctx.tokens * k);
  const probs = new Float32Array(ctx.tokens * k);
  const gate = ctx.gateProbs;
  for (let token = 0; token < ctx.tokens; token++) {
    const base = token * columns;
    const out = token * k;
    let filled = 0;
    let ordered = true;
    for (let e = 0; e < columns; e++) {
      const p = gate[base + e]!;
      if (Number.isNaN(p)) {
        ordered = false;
        break;
      }
      // After every kept entry at least as large (an equal one has the lower index).
      let at = filled;
      while (at > 0 && p > probs[out + at - 1]!) at -= 1;
      if (at >= kept) continue;
      for (let j = Math.min(filled, kept - 1); j > at; j--) {
        experts[out + j] = experts[out + j - 1]!;
        probs[out + j] = probs[out + j - 1]!;
      }
      experts[out + at] = e;
      probs[out + at] = p;
      if (filled < kept) filled += 1;
    }
    if (ordered) continue;
    topKOfRow(gate, token, columns, k).forEach((expert, j) => {
      experts[out + j] = expert;
      probs[out + j] = gate[base + expert]!;
    });
  }
  return { k, experts, probs };
}

// 1 for every candidate that some available device holds, 0 otherwise.
export function availableMask(ctx: PolicyContext, candidates: Candidates): Uint8Array {
  const mask = new Uint8Array(candidates.experts.length);
  candidates.experts.forEach((expert, slot) => {
    mask[slot] = (ctx.expertDevices[expert] ?? []).some((d) => ctx.devices[d]?.available !== false) ? 1 : 0;
  });
  return mask;
}

// The kept candidates as a decision: per token the kept experts packed left (k = the most any token keeps),
// weights renormalised over the kept ones when the model renormalises or when any was dropped (so a
// token's weights always sum to 1 with fewer experts), replicas chosen with `shareOf`.
export function decisionFromMask(ctx: PolicyContext, candidates: Candidates, keep: Uint8Array,
  bandwidthShare: Float64Array | null = null, shareOf?: (device: number) => number): PolicyDecision {
  const { k: topK } = candidates;
  let k = 0;
  for (let token = 0; token < ctx.tokens; token++) {
    let kept = 0;
    for (let j = 0; j < topK; j++) kept += keep[token * topK + j]!;
    k = Math.max(k, kept);
  }
  const experts = new Uint16Array(ctx.tokens * k).fill(NO_EXPERT_SLOT);
  const weights = new Float32Array(ctx.tokens * k);
  for (let token = 0; token < ctx.tokens; token++) {
    let sum = 0;
    let kept = 0;
    for (let j = 0; j < topK; j++) {
      if (keep[token * topK + j]) {
        sum += candidates.probs[token * topK + j]!;
        kept += 1;
      }
    }
    const renormalise = ctx.normalizeTopK || kept < topK;
    let out = 0;
    for (let j = 0; j < topK; j++) {
      if (!keep[token * topK + j]) continue;
      const prob = candidates.probs[token * topK + j]!;
      experts[token * k + out] = candidates.experts[token * topK + j]!;
      weights[token * k + out] = renormalise ? (sum > 0 ? prob / sum : 1 / kept) : prob;
      out += 1;
    }
  }
  return { k, experts, weights, slotDevice: assignReplicas(ctx, experts, k, shareOf), bandwidthShare };
}

// Keeps the first `keep` available candidates of each token (keep = k: vanilla MoE; 1: top1).
export function keepFirst(ctx: PolicyContext, candidates: Candidates, keep: number): Uint8Array {
  const available = availableMask(ctx, candidates);
  const mask = new Uint8Array(available.length);
  for (let token = 0; token < ctx.tokens; token++) {
    let kept = 0;
    for (let j = 0; j < candidates.k && kept < keep; j++) {
      if (available[token * candidates.k + j]) {
        mask[token * candidates.k + j] = 1;
        kept += 1;
      }
    }
  }
  return mask;
}
