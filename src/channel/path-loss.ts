// Large-scale path loss of the cell (PAPERS.md "Wireless channel defaults"): a log-distance model
// intercept + slope·log10(d / 1 km) dB (128.1 + 37.6·log10(d/km) by default), or a device's explicit
// path gain. Pure arithmetic; called by channel-model.ts and link-states.ts. Imports only ./types.
import type { CellParams, DeviceRadio } from './types.js';

// Path loss in dB at `distanceM` metres from the BS (positive: 128.1 dB at 1 km with the defaults).
export function pathLossDb(cell: Pick<CellParams, 'pathLoss'>, distanceM: number): number {
  return cell.pathLoss.interceptDb + cell.pathLoss.slopeDb * Math.log10(distanceM / 1000);
}

// The device's large-scale gain in dB (negative): its explicit pathGainDb, else −pathLoss(distance).
export function largeScaleGainDb(cell: Pick<CellParams, 'pathLoss'>, radio: DeviceRadio): number {
  if (radio.pathGainDb !== null) return radio.pathGainDb;
  if (radio.distanceM === null) throw new RangeError('a device radio needs distanceM or pathGainDb');
  return -pathLossDb(cell, radio.distanceM);
}
