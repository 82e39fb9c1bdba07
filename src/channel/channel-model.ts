// The SNR of one device's link at one moment (PAPERS.md "The method"): snr = P·g / (N0·B) over the whole
// band of that direction, P the sender's power (BS downlink, device uplink), N0 the noise PSD plus the
// noise figure, g = large-scale gain × shadowing × Rayleigh fading of the coherence block holding `timeMs`.
// rate.ts turns it into a rate at a bandwidth share. Called by link-states.ts and by policy/sim code that
// wants a channel without a testbed. Imports only ./types and sibling pure modules.
import { rayleighPowerGain, shadowingDb } from './fading.js';
import { largeScaleGainDb } from './path-loss.js';
import { dbmToWatts, dbToLinear } from './rate.js';
import type { CellParams, DeviceRadio, Direction } from './types.js';

// The direction's total bandwidth in Hz.
export function bandwidthHzOf(cell: CellParams, direction: Direction): number {
  return direction === 'downlink' ? cell.downlinkBandwidthHz : cell.uplinkBandwidthHz;
}

// The coherence block holding `timeMs` (block i covers [i·coherenceMs, (i+1)·coherenceMs)).
export function coherenceBlockAt(cell: Pick<CellParams, 'coherenceMs'>, timeMs: number): number {
  return Math.floor(timeMs / cell.coherenceMs);
}

// The mean SNR without small-scale fading (linear): P·g_large·shadowing / (N0·B). Fixed for a run.
export function meanSnr(cell: CellParams, radio: DeviceRadio, deviceIndex: number, direction: Direction, seed: number): number {
  const powerDbm = direction === 'downlink' ? cell.bsTxPowerDbm : radio.txPowerDbm;
  const gainDb = largeScaleGainDb(cell, radio) + shadowingDb(seed, deviceIndex, cell.shadowingSigmaDb);
  const noiseWatts = dbmToWatts(cell.noisePsdDbmPerHz + cell.noiseFigureDb) * bandwidthHzOf(cell, direction);
  return (dbmToWatts(powerDbm) * dbToLinear(gainDb)) / noiseWatts;
}

// The small-scale fading power gain at `timeMs` (1 when fading is off).
export function fadingGainAt(cell: CellParams, deviceIndex: number, direction: Direction, timeMs: number, seed: number): number {
  if (cell.fading === 'none') return 1;
  return rayleighPowerGain(seed, deviceIndex, direction, coherenceBlockAt(cell, timeMs));
}

// The linear SNR over the whole band of `direction` for device `deviceIndex` at channel time `timeMs`.
export function snrAt(cell: CellParams, radio: DeviceRadio, deviceIndex: number, direction: Direction, timeMs: number, seed: number): number {
  return meanSnr(cell, radio, deviceIndex, direction, seed) * fadingGainAt(cell, deviceIndex, direction, timeMs, seed);
}
