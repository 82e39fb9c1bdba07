// The link check: sends a few RUNs large enough that the transfer dominates over each device's shaped links
// at the rate in force (link state at channel time 0, an equal share among all devices), and the same RUNs
// with the links unlimited; the difference of the median round trips (each minus the device's own compute
// time) is what the links added, compared with the link model's expectation (bytes·8/rate + delay + expected
// loss penalty, links/link-model.ts), both directions together. Subtracting the unlimited round trip takes
// out the protocol's own cost (encode, socket, decode), so what is left is the shaping. Devices are checked
// one at a time. Works whoever shapes (the userspace shaper; the kernel, where the unlimited RUN is shaped
// too and the check then measures only the delay difference, see docs). Called by `wdmoe profile` and bench.
import { median } from 'simple-statistics';
import type { DeviceChannel } from '../bs/index.js';
import { rateAtShare, type DeviceLinkState, type LinkState } from '../channel/index.js';
import { expectedTransferMs } from '../links/index.js';

// One device's check.
export interface LinkCheck {
  device: string;
  rows: number;
  downlinkRateBitsPerSec: number | null; // in force for the check
  uplinkRateBitsPerSec: number | null;
  expectedMs: number; // model: down + up transfer and delays
  measuredMs: number; // median round trip minus device compute, minus the same with unlimited links
  overheadMs: number; // the unlimited round trip minus device compute (protocol and processing)
  error: number; // (measured − expected) / expected
  isOff: boolean; // |error| above the tolerance
}

export interface LinkCheckOptions {
  readonly hidden: number;
  readonly layer: number;
  readonly expertOf: (device: number) => number; // an expert of `layer` the device holds
  readonly repeats: number;
  readonly tolerance: number; // 0.05 = 5%
  readonly deadlineMs: number;
  readonly signal?: AbortSignal;
}

const HEADER_BYTES_ESTIMATE = 64;

// Rows for a check whose transfer takes ≈ 20 ms at the slower direction's rate (8…256 rows).
export function checkRows(downBitsPerSec: number | null, upBitsPerSec: number | null, rowBytes: number): number {
  const rate = Math.min(downBitsPerSec ?? Infinity, upBitsPerSec ?? Infinity);
  if (!Number.isFinite(rate)) return 8;
  return Math.max(8, Math.min(256, Math.ceil((0.02 * rate) / 8 / rowBytes)));
}

function spec(state: LinkState, rateBitsPerSec: number | null) {
  return { rateBitsPerSec, delayMs: state.delayMs, jitterMs: state.jitterMs, lossRate: state.lossRate };
}

// Checks every channel's links, one device at a time; devices with unlimited, zero-delay links have nothing
// to check and are left out.
export async function checkLinks(channels: readonly DeviceChannel[], states: readonly DeviceLinkState[], options: LinkCheckOptions): Promise<LinkCheck[]> {
  const share = 1 / Math.max(1, channels.length);
  const rowBytes = options.hidden * 4;
  const checks: LinkCheck[] = [];
  for (const [d, channel] of channels.entries()) {
    const state = states[d]!;
    const down = rateAtShare(state.downlink, share);
    const up = rateAtShare(state.uplink, share);
    if (down === null && up === null && state.downlink.delayMs === 0 && state.uplink.delayMs === 0) continue;
    const rows = checkRows(down, up, rowBytes);
    const request = { layer: options.layer, hidden: options.hidden, rows, k: 1, states: new Float32Array(rows * options.hidden).fill(0.25),
      experts: new Uint16Array(rows).fill(options.expertOf(d)), weights: new Float32Array(rows).fill(1) };
    const roundTrip = async (link: { downlink: { rateBitsPerSec: number | null; delayMs: number }; uplink: { rateBitsPerSec: number | null; delayMs: number } }) => {
      const reply = await channel.run(request, { deadlineMs: options.deadlineMs, signal: options.signal, link });
      reply.release?.();
      const { timing } = reply;
      return { ms: timing.deliveredMs - timing.sendStartMs - timing.deviceComputeMs, downBytes: timing.downlinkBytes, upBytes: timing.uplinkBytes };
    };
    const unlimited = { downlink: { rateBitsPerSec: null, delayMs: 0 }, uplink: { rateBitsPerSec: null, delayMs: 0 } };
    const shaped = { downlink: { rateBitsPerSec: down, delayMs: state.downlink.delayMs }, uplink: { rateBitsPerSec: up, delayMs: state.uplink.delayMs } };
    await roundTrip(unlimited); // warm-up
    const bare: number[] = [];
    const linked: number[] = [];
    let bytes = { down: rows * rowBytes + HEADER_BYTES_ESTIMATE, up: rows * rowBytes + HEADER_BYTES_ESTIMATE };
    for (let r = 0; r < options.repeats; r++) {
      bare.push((await roundTrip(unlimited)).ms);
      const timed = await roundTrip(shaped);
      linked.push(timed.ms);
      if (timed.downBytes > 0) bytes = { down: timed.downBytes, up: timed.upBytes };
    }
    const expectedMs = expectedTransferMs(spec(state.downlink, down), bytes.down) + expectedTransferMs(spec(state.uplink, up), bytes.up);
    const overheadMs = median(bare);
    const measuredMs = median(linked) - overheadMs;
    const error = expectedMs > 0 ? (measuredMs - expectedMs) / expectedMs : 0;
    checks.push({ device: channel.name, rows, downlinkRateBitsPerSec: down, uplinkRateBitsPerSec: up, expectedMs, measuredMs, overheadMs, error, isOff: Math.abs(error) > options.tolerance });
  }
  return checks;
}
