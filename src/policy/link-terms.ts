// linkTransferMs (latency.ts) for many devices' link directions at once, from typed arrays: the bandwidth split's
// bisections (bandwidth.ts) evaluate t_d(b) about a million times per layer at 1000 devices, and reading the
// rate terms off LinkState objects (rateAtShare's property loads and model test) cost several times the
// arithmetic. The same operations in the same order as rateAtShare and transferMs, so the same numbers
// (test/policy/link-terms.test.ts). Pure.
import { clampShare } from '../channel/index.js';
import type { LinkState } from './types.js';

const SHANNON = 0; // b·B·log2(1 + snr/b)
const POOLED = 1; // min(rate, b·pool)
const FIXED = 2; // the link's own rate, whatever the share
const UNLIMITED = 3; // no rate limit: the delay alone

// One direction of `count` links: kind, two rate terms (B and snr, or the cap and the pool), delay.
export interface LinkTerms {
  readonly kind: Uint8Array;
  readonly first: Float64Array; // shannon: bandwidthHz; pooled: rateBitsPerSec (Infinity = uncapped); fixed: rateBitsPerSec
  readonly second: Float64Array; // shannon: snr; pooled: poolBitsPerSec
  readonly delayMs: Float64Array;
}

export function linkTerms(links: readonly LinkState[]): LinkTerms {
  const terms: LinkTerms = {
    kind: new Uint8Array(links.length), first: new Float64Array(links.length), second: new Float64Array(links.length), delayMs: new Float64Array(links.length),
  };
  links.forEach((link, i) => {
    terms.delayMs[i] = link.delayMs;
    if (link.model === 'fixed') {
      terms.kind[i] = link.poolBitsPerSec !== null ? POOLED : link.rateBitsPerSec === null ? UNLIMITED : FIXED;
      terms.first[i] = link.rateBitsPerSec ?? Infinity;
      terms.second[i] = link.poolBitsPerSec ?? 0;
    } else {
      terms.kind[i] = SHANNON;
      terms.first[i] = link.bandwidthHz;
      terms.second[i] = link.snr;
    }
  });
  return terms;
}

// linkTransferMs(links[i], share, payloadBytes).
export function termsTransferMs(terms: LinkTerms, i: number, share: number, payloadBytes: number): number {
  const kind = terms.kind[i]!;
  const delayMs = terms.delayMs[i]!;
  if (kind === UNLIMITED) return delayMs;
  let rate = terms.first[i]!; // FIXED
  if (kind !== FIXED) {
    const b = clampShare(share);
    if (b === 0) rate = 0;
    else if (kind === POOLED) rate = Math.min(terms.first[i]!, b * terms.second[i]!);
    else rate = b * terms.first[i]! * Math.log2(1 + terms.second[i]! / b);
  }
  if (payloadBytes <= 0) return delayMs;
  if (!(rate > 0)) return Infinity;
  return (payloadBytes * 8 * 1000) / rate + delayMs;
}
