// The rate a link direction gives a device at a bandwidth share (PAPERS.md "The method"): a fixed
// (or trace-given) rate capped by its share of the BS's pool, or Shannon's R(b) = b·B·log2(1 + snr/b).
// Also the dB/dBm conversions the channel model uses. Pure arithmetic; called by policy/ (estimates),
// bs/ (the rate handed to the shaper) and link-states.ts. Imports only ./types.
import type { LinkState } from './types.js';

// A share the policy hands in, made safe: NaN and negatives → 0, above 1 → 1.
export function clampShare(share: number): number {
  if (!(share > 0)) return 0; // also catches NaN
  return share > 1 ? 1 : share;
}

// Shannon capacity of a band of `bandwidthHz` at linear SNR `snrLinear`: B·log2(1 + snr), bits/s.
export function shannonRateBitsPerSec(bandwidthHz: number, snrLinear: number): number {
  if (!(bandwidthHz > 0) || !(snrLinear > 0)) return 0;
  return bandwidthHz * Math.log2(1 + snrLinear);
}

// The rate in force (bits/s) when the device gets `share` ∈ [0, 1] of the BS's bandwidth; null = unlimited.
// fixed without a pool: the link's own rate (share ignored); with a pool: min(rate, share·pool).
// shannon: share·B·log2(1 + snr/share) — the device's power spread over its share of the band, so the
// SNR per hertz grows as the share shrinks; concave and increasing in share, 0 at share 0.
export function rateAtShare(state: LinkState, share: number): number | null {
  if (state.model === 'fixed') {
    if (state.poolBitsPerSec === null) return state.rateBitsPerSec;
    const b = clampShare(share);
    if (b === 0) return 0;
    return Math.min(state.rateBitsPerSec ?? Infinity, b * state.poolBitsPerSec);
  }
  const b = clampShare(share);
  if (b === 0) return 0;
  return b * state.bandwidthHz * Math.log2(1 + state.snr / b);
}

// Decibels → linear power ratio: 10^(dB/10).
export function dbToLinear(db: number): number {
  return 10 ** (db / 10);
}

// Linear power ratio → decibels: 10·log10(x).
export function linearToDb(linear: number): number {
  return 10 * Math.log10(linear);
}

// dBm → watts: 10^((dBm − 30)/10). Also turns a PSD in dBm/Hz into W/Hz.
export function dbmToWatts(dbm: number): number {
  return 10 ** ((dbm - 30) / 10);
}
