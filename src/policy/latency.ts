// The papers' per-device latency estimate, used by every policy that looks at the links:
// t_d = S_d/R_down(b_d) + delay_down + c_d + S_d/R_up(b_d) + delay_up (PAPERS.md "The method"),
// with R(b) the rate of the link state at bandwidth share b (channel/rate.ts) and c_d from the device's
// compute profile. Pure arithmetic.
import { rateAtShare } from '../channel/index.js';
import type { DeviceEstimate, LinkState } from './types.js';

// Transfer time of `payloadBytes` at `rateBitsPerSec` (null = unlimited, 0 = never) plus `delayMs`.
export function transferMs(payloadBytes: number, rateBitsPerSec: number | null, delayMs: number): number {
  if (payloadBytes <= 0) return delayMs;
  if (rateBitsPerSec === null) return delayMs;
  if (!(rateBitsPerSec > 0)) return Infinity;
  return (payloadBytes * 8 * 1000) / rateBitsPerSec + delayMs;
}

// Transfer time over `link` when the device holds `share` of the BS's bandwidth.
export function linkTransferMs(link: LinkState, share: number, payloadBytes: number): number {
  return transferMs(payloadBytes, rateAtShare(link, share), link.delayMs);
}

// What a device is asked to do in one layer: token rows it receives, distinct experts it runs, and
// (token, expert) pairs it computes.
export interface DeviceWork {
  rows: number;
  expertRuns: number;
  pairs: number;
}

// Expert compute time of `work` on `device` (its profile: fixed per expert run + per (token, expert) pair).
export function computeMs(device: DeviceEstimate, work: DeviceWork): number {
  return work.expertRuns * device.compute.fixedMs + work.pairs * device.compute.perTokenMs;
}

// Estimated finish time of `device` doing `work` with `share` of the BS's bandwidth; 0 when idle.
export function estimateDeviceMs(device: DeviceEstimate, work: DeviceWork, share: number, rowBytes: number): number {
  if (work.rows === 0) return 0;
  const bytes = work.rows * rowBytes;
  return linkTransferMs(device.downlink, share, bytes) + computeMs(device, work) + linkTransferMs(device.uplink, share, bytes);
}

// True when the device's transfer times depend on its bandwidth share (a pooled or wireless link).
export function dependsOnShare(device: DeviceEstimate): boolean {
  const depends = (link: LinkState) => link.model === 'shannon' || link.poolBitsPerSec !== null;
  return depends(device.downlink) || depends(device.uplink);
}
