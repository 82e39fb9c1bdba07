// Every device's link state at a moment of the channel clock, for the policies and the shaper:
// a device with a radio gets Shannon states from the cell (SNR with its fading block at that moment);
// a direction with a trace gets a fixed state at the trace's rate then (and the trace's delay when it has
// one); any other direction its fixed rate. Fixed states share the BS's pool (`bs.bandwidth`).
// Called per layer by bs/bench, so everything that does not change over time is computed once here.
// Imports only ./types and sibling modules (the testbed is read structurally, LinkStatesInput).
import { bandwidthHzOf, fadingGainAt, meanSnr } from './channel-model.js';
import { ChannelError } from './errors.js';
import { outageEndAt, traceStepAt } from './trace-sample.js';
import type { CellParams, DeviceLinkState, DeviceRadio, Direction, LinkDirectionSpec, LinkState, LinkStatesInput } from './types.js';

export interface LinkStates {
  // One state per testbed device, in testbed order, at channel time `timeMs`.
  at(timeMs: number): readonly DeviceLinkState[];
  readonly deviceCount: number;
  // True when some link changes over time (a radio under fading, or a trace); false: at() always says the same.
  readonly isTimeVarying: boolean;
}

export interface LinkStatesOptions {
  readonly seed: number; // fading and shadowing draws; the same seed gives the same states
}

type DirectionAt = (timeMs: number) => LinkState;

function fixedDirection(spec: LinkDirectionSpec, poolBitsPerSec: number | null): DirectionAt {
  const base = { model: 'fixed' as const, poolBitsPerSec, jitterMs: spec.jitterMs, lossRate: spec.lossRate };
  const { trace } = spec;
  if (trace === null) {
    const state: LinkState = Object.freeze({ ...base, rateBitsPerSec: spec.rateBitsPerSec, delayMs: spec.delayMs });
    return () => state;
  }
  return (timeMs) => {
    // In an outage (rate 0) the transfer waits for the link to come back: that wait joins the delay.
    const resumed = outageEndAt(trace, timeMs);
    const step = resumed?.step ?? traceStepAt(trace, timeMs);
    return { ...base, rateBitsPerSec: step.rateBitsPerSec, delayMs: (step.delayMs ?? spec.delayMs) + (resumed?.waitMs ?? 0) };
  };
}

function shannonDirection(cell: CellParams, radio: DeviceRadio, deviceIndex: number, direction: Direction, spec: LinkDirectionSpec, seed: number): DirectionAt {
  const mean = meanSnr(cell, radio, deviceIndex, direction, seed);
  const bandwidthHz = bandwidthHzOf(cell, direction);
  // A literal, not a spread of shared fields: objects made by spreading read several times slower in the policies'
  // hot loops (rateAtShare over 1000 devices, many times per layer in the simulator).
  const state = (snr: number): LinkState => ({ model: 'shannon', bandwidthHz, delayMs: spec.delayMs, jitterMs: spec.jitterMs, lossRate: spec.lossRate, snr });
  if (cell.fading === 'none') {
    const fixed = Object.freeze(state(mean));
    return () => fixed;
  }
  return (timeMs) => state(mean * fadingGainAt(cell, deviceIndex, direction, timeMs, seed));
}

// The link states of `testbed`'s devices over time, seeded by `options.seed`.
export function createLinkStates(testbed: LinkStatesInput, options: LinkStatesOptions): LinkStates {
  const pool = testbed.bs.bandwidthBitsPerSec;
  const perDevice = testbed.devices.map((device, index) => {
    const { radio } = device.link;
    const direction = (name: Direction): DirectionAt => {
      if (radio === null) return fixedDirection(device.link[name], pool);
      if (testbed.bs.cell === null) throw new ChannelError(`device ${index} has a radio but the testbed has no cell`, 'add bs.channel to the testbed');
      return shannonDirection(testbed.bs.cell, radio, index, name, device.link[name], options.seed);
    };
    return { downlink: direction('downlink'), uplink: direction('uplink') };
  });
  const isTimeVarying = testbed.devices.some((device) =>
    (device.link.radio !== null && testbed.bs.cell?.fading !== 'none') || device.link.downlink.trace !== null || device.link.uplink.trace !== null);
  return {
    deviceCount: perDevice.length,
    isTimeVarying,
    at: (timeMs) => perDevice.map((device) => ({ downlink: device.downlink(timeMs), uplink: device.uplink(timeMs) })),
  };
}
