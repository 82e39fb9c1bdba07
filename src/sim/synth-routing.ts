// Synthesised gate probabilities: per layer an expert popularity drawn from a symmetric Dirichlet(α) (small α:
// a few experts take most tokens, as trained routers do; large α: uniform), and per token softmax(log p + Gumbel)
// — so its top-k is a draw without replacement in proportion to the popularity. Deterministic in (seed, batch,
// layer), the same for every policy. Writes into a caller's n×E Float32Array: no per-token allocation.
// Called by synthetic.ts.
import { SeededRandom } from '../links/index.js';

// Gamma(α, 1) by Marsaglia–Tsang (α ≥ 1; α < 1 boosted by U^(1/α)).
function gamma(random: SeededRandom, alpha: number): number {
  if (alpha < 1) return gamma(random, alpha + 1) * Math.pow(random.next() || Number.MIN_VALUE, 1 / alpha);
  const d = alpha - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (let i = 0; i < 1000; i++) {
    const x = random.normal();
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = random.next();
    if (Math.log(u || Number.MIN_VALUE) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
  return d;
}

const mix = (seed: number, batch: number, layer: number) => (Math.imul(seed ^ 0x5bd1e995, 31) + Math.imul(batch, 0x27d4eb2d) + Math.imul(layer, 0x165667b1)) >>> 0;

// The expert popularity of `layer` (Σ = 1), the same for every batch of a run.
export function layerPopularity(seed: number, layer: number, numExperts: number, alpha: number): Float64Array {
  const random = new SeededRandom(mix(seed, 0x7fffffff, layer));
  const popularity = new Float64Array(numExperts);
  let sum = 0;
  for (let e = 0; e < numExperts; e++) sum += popularity[e] = gamma(random, alpha) + 1e-12;
  for (let e = 0; e < numExperts; e++) popularity[e]! /= sum;
  return popularity;
}

// Fills `out` (tokens × E) with gate probabilities of `tokens` tokens of batch `batch` through `layer`.
export function fillGateProbs(out: Float32Array, tokens: number, popularity: Float64Array, seed: number, batch: number, layer: number): void {
  const experts = popularity.length;
  const random = new SeededRandom(mix(seed, batch, layer));
  for (let t = 0; t < tokens; t++) {
    const base = t * experts;
    let max = -Infinity;
    for (let e = 0; e < experts; e++) {
      const logit = Math.log(popularity[e]!) - Math.log(-Math.log(random.next() || Number.MIN_VALUE));
      out[base + e] = logit;
      if (logit > max) max = logit;
    }
    let sum = 0;
    for (let e = 0; e < experts; e++) sum += out[base + e] = Math.exp(out[base + e]! - max);
    for (let e = 0; e < experts; e++) out[base + e]! /= sum;
  }
}
