// Builds policy contexts for tests: n tokens over E experts, one device per expert unless given.
import type { DeviceEstimate, PolicyContext } from '../../src/policy/index.js';

export function device(name: string, rateBitsPerSec: number | null = null, delayMs = 0): DeviceEstimate {
  return { name, downlink: { rateBitsPerSec, delayMs }, uplink: { rateBitsPerSec, delayMs }, compute: { fixedMs: 0, perRowMs: 0 } };
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
