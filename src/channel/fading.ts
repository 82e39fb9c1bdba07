// Seeded, call-order-free random draws of the channel: Rayleigh block fading (|h|² ~ Exp(1), mean 1)
// per (seed, device, direction, coherence block) and log-normal shadowing N(0, σ) dB per (seed, device).
// Each draw is a small integer hash of its coordinates (murmur3's 32-bit finaliser, chained), so the
// value of block 7 does not depend on whether block 3 was asked for first: runs and policies replay
// identical link states. Not cryptographic. Called by channel-model.ts; imports only ./types.
import type { Direction } from './types.js';

const TWO_POW_32 = 4_294_967_296;
const GOLDEN = 0x9e3779b9;
// Stream tags keep the fading and shadowing draws of one device independent.
const STREAM_FADING = 0x0fad1;
const STREAM_SHADOWING = 0x5ad0;

// murmur3's fmix32: a bijective avalanche on 32-bit words.
function fmix32(word: number): number {
  let h = word >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// Splits an integer (up to 2^53, negative allowed) into its low and high 32-bit words.
function words(value: number): [number, number] {
  const integer = Math.trunc(value);
  return [integer >>> 0, Math.floor(integer / TWO_POW_32) >>> 0];
}

// A 32-bit hash of a list of integers.
export function hashIntegers(values: readonly number[]): number {
  let h = GOLDEN;
  for (const value of values) {
    for (const word of words(value)) h = fmix32((h ^ fmix32(word + GOLDEN)) + Math.imul(h, 5));
  }
  return h;
}

// A uniform draw in the open interval (0, 1) for these coordinates.
export function uniformAt(values: readonly number[]): number {
  return (hashIntegers(values) + 0.5) / TWO_POW_32;
}

const directionIndex = (direction: Direction) => (direction === 'downlink' ? 0 : 1);

// Rayleigh block fading power gain |h|² ~ Exp(1) of one device and direction in coherence block `blockIndex`.
export function rayleighPowerGain(seed: number, deviceIndex: number, direction: Direction, blockIndex: number): number {
  return -Math.log(uniformAt([STREAM_FADING, seed, deviceIndex, directionIndex(direction), blockIndex]));
}

// A standard normal draw N(0, 1) for (seed, device) by Box–Muller from two hashed uniforms.
export function standardNormalAt(seed: number, deviceIndex: number): number {
  const u1 = uniformAt([STREAM_SHADOWING, seed, deviceIndex, 0]);
  const u2 = uniformAt([STREAM_SHADOWING, seed, deviceIndex, 1]);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

// The device's log-normal shadowing in dB, N(0, σ): drawn once per (seed, device), the same both directions.
export function shadowingDb(seed: number, deviceIndex: number, sigmaDb: number): number {
  return sigmaDb > 0 ? sigmaDb * standardNormalAt(seed, deviceIndex) : 0;
}
