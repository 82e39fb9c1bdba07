// A device's link in words for the testbed table: "radio 60 m, 23 dBm" (the channel model sets its rate),
// "trace up.csv / down.csv" (replayed), or "fixed". Pure; used by sections.ts.

import type { TestbedView } from './testbed-view.js';

type DeviceView = TestbedView['devices'][number];

// What drives the device's link rates.
export function describeLink(device: DeviceView): string {
  if (device.radio !== null) {
    const where = device.radio.distance_m !== null ? `${device.radio.distance_m} m` : device.radio.path_gain_db !== null ? `path gain ${device.radio.path_gain_db} dB` : 'in the cell';
    return device.radio.tx_power_dbm === null ? `radio ${where}` : `radio ${where}, ${device.radio.tx_power_dbm} dBm`;
  }
  const traces = [device.uplink.trace, device.downlink.trace];
  if (traces.some((trace) => trace !== null)) return `trace ${traces.map((trace) => trace ?? 'fixed').join(' / ')} (up / down)`;
  return 'fixed';
}

// A direction's rate as text: Mbit/s, "channel" when a radio sets it, "trace", or "unshaped".
export function describeRate(device: DeviceView, direction: 'uplink' | 'downlink'): string {
  const link = device[direction];
  if (link.trace !== null) return 'trace';
  if (device.radio !== null && link.rate_bits_per_sec === null) return 'channel';
  return link.rate_bits_per_sec === null ? 'unshaped' : (link.rate_bits_per_sec / 1e6).toFixed(1);
}
