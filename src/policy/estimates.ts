// The policies' view of the devices: each device's link states at this moment and its compute model from
// its profile. Built per layer by bench (from the channel's link states) and by sim; pure.
import type { DeviceLinkState, LinkState } from '../channel/index.js';
import type { DeviceEstimate } from './types.js';

// A link with no limit and no delay (shaping off, or the in-process local placement).
export const UNLIMITED_LINK: LinkState = Object.freeze({ model: 'fixed', rateBitsPerSec: null, poolBitsPerSec: null, delayMs: 0, jitterMs: 0, lossRate: 0 });

export interface EstimateSource {
  readonly name: string;
  // Expert compute model of the device's profile (profiles/<name>.yaml compute_model).
  readonly compute: { readonly fixedMs: number; readonly perTokenMs: number };
}

// One estimate per device, aligned with `devices` and `states`; `available[d]` false marks a device down.
export function buildDeviceEstimates(devices: readonly EstimateSource[], states: readonly DeviceLinkState[], available?: readonly boolean[]): DeviceEstimate[] {
  return devices.map((device, d) => ({
    name: device.name,
    downlink: states[d]?.downlink ?? UNLIMITED_LINK,
    uplink: states[d]?.uplink ?? UNLIMITED_LINK,
    compute: device.compute,
    available: available?.[d] ?? true,
  }));
}
