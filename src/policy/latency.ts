// The papers' per-device latency estimate, used to pick replicas and by the WDMoE-style policies:
// t_d = S_d/R_down + c_d(n_d) + S_d/R_up + propagation delays (PAPERS.md "The method").
import type { DeviceEstimate } from './types.js';

// Transfer time of `payloadBytes` over a link of `rateBitsPerSec` (null = unlimited) with `delayMs`.
export function transferMs(payloadBytes: number, rateBitsPerSec: number | null, delayMs: number): number {
  const serialisation = rateBitsPerSec === null ? 0 : (payloadBytes * 8 * 1000) / rateBitsPerSec;
  return serialisation + delayMs;
}

// Estimated finish time of `device` when it serves `rows` tokens with `expertRuns` expert invocations.
export function estimateDeviceMs(device: DeviceEstimate, rows: number, expertRuns: number, rowBytes: number): number {
  if (rows === 0) return 0;
  const bytes = rows * rowBytes;
  return (
    transferMs(bytes, device.downlink.rateBitsPerSec, device.downlink.delayMs) +
    expertRuns * device.compute.fixedMs +
    rows * device.compute.perRowMs +
    transferMs(bytes, device.uplink.rateBitsPerSec, device.uplink.delayMs)
  );
}
