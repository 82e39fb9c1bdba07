// Builds policy contexts for tests: n tokens over E experts, one device per expert unless given.
import type { DeviceEstimate, LinkState, PolicyContext } from '../../src/policy/index.js';

// A fixed-rate link (null = unlimited); with a pool, the rate in force is min(rate, share · pool).
export function fixedLink(rateBitsPerSec: number | null, delayMs = 0, poolBitsPerSec: number | null = null): LinkState {
  return { model: 'fixed', rateBitsPerSec, poolBitsPerSec, delayMs, jitterMs: 0, lossRate: 0 };
}

// A wireless link of a BS band of `bandwidthHz` at whole-band SNR `snr` (linear).
export function radioLink(snr: number, bandwidthHz = 20e6, delayMs = 0): LinkState {
  return { model: 'shannon', bandwidthHz, snr, delayMs, jitterMs: 0, lossRate: 0 };
}

export function device(name: string, rateBitsPerSec: number | null = null, delayMs = 0, compute = { fixedMs: 0, perTokenMs: 0 }): DeviceEstimate {
  return { name, downlink: fixedLink(rateBitsPerSec, delayMs), uplink: fixedLink(rateBitsPerSec, delayMs), compute, available: true };
}

// A device behind wireless links of whole-band SNR `snr` both ways.
export function radioDevice(name: string, snr: number, options: { bandwidthHz?: number; delayMs?: number; compute?: DeviceEstimate['compute'] } = {}): DeviceEstimate {
  const link = radioLink(snr, options.bandwidthHz, options.delayMs);
  return { name, downlink: link, uplink: link, compute: options.compute ?? { fixedMs: 0, perTokenMs: 0 }, available: true };
}

export function context(gateProbs: number[][], overrides: Partial<PolicyContext> = {}): PolicyContext {
  const numExperts = gateProbs[0]!.length;
  const devices = Array.from({ length: numExperts }, (_, e) => device(`dev-${e}`));
  return {
    layer: 0,
    tokens: gateProbs.length,
    numExperts,
    topK: 2,
    normalizeTopK: true,
    gateProbs: new Float32Array(gateProbs.flat()),
    hiddenSize: 4,
    bytesPerValue: 4,
    devices,
    expertDevices: devices.map((_, e) => [e]),
    random: () => 0.5,
    ...overrides,
  };
}
