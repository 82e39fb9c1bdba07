// Resolves the wireless parts of a testbed: the BS's cell (`bs.channel` → CellParams, per-direction
// bandwidths falling back to `bandwidth`) and a device's radio (`link.channel`, inherited layer by layer
// like the rest of the link: the most specific layer giving distance_m or path_gain_db places the device,
// the most specific giving tx_power_dbm sets its power). Pure; called by resolve-link.ts and normalise.ts.
import type { CellParams, DeviceRadio } from '../channel/types.js';
import { positionOf, type FieldPath } from './locate.js';
import type { LinkLayer } from './resolve-link.js';
import type { ParsedCell } from './schema.js';
import type { SettingSource } from './types.js';

export const DEFAULT_DEVICE_TX_POWER_DBM = 23;

// The cell the testbed's `bs.channel` describes, or null when it has none.
export function resolveCell(cell: ParsedCell | undefined): CellParams | null {
  if (cell === undefined) return null;
  return Object.freeze({
    downlinkBandwidthHz: cell.downlink_bandwidth ?? cell.bandwidth,
    uplinkBandwidthHz: cell.uplink_bandwidth ?? cell.bandwidth,
    bsTxPowerDbm: cell.tx_power_dbm,
    noisePsdDbmPerHz: cell.noise_psd_dbm_hz,
    noiseFigureDb: cell.noise_figure_db,
    pathLoss: Object.freeze({ interceptDb: cell.path_loss.intercept_db, slopeDb: cell.path_loss.slope_db }),
    shadowingSigmaDb: cell.shadowing_sigma_db,
    fading: cell.fading,
    coherenceMs: cell.coherence,
  });
}

export interface ResolvedRadio {
  readonly radio: DeviceRadio | null;
  // The most specific `link.channel` node (for messages); null when no layer has one.
  readonly channelPath: FieldPath | null;
  readonly sources: ReadonlyMap<string, SettingSource>; // `channel.distance_m` → where it came from
}

// The device's radio from its link layers (null when none has `channel`), or null with channelPath set
// when no layer places it (normalise reports that).
export function resolveRadio(layers: readonly LinkLayer[]): ResolvedRadio {
  const sources = new Map<string, SettingSource>();
  let channelPath: FieldPath | null = null;
  let position: Pick<DeviceRadio, 'distanceM' | 'pathGainDb'> | null = null;
  let txPowerDbm = DEFAULT_DEVICE_TX_POWER_DBM;
  sources.set('channel.tx_power_dbm', { kind: 'default' });
  for (const layer of layers) {
    if (layer.kind !== 'yaml' || layer.link.channel === undefined) continue;
    const channel = layer.link.channel;
    const at = (key: string) => ({ kind: 'yaml' as const, file: layer.source.file, ...positionOf(layer.source, [...layer.path, 'channel', key]) });
    channelPath = [...layer.path, 'channel'];
    if (channel.distance_m !== undefined) {
      position = { distanceM: channel.distance_m, pathGainDb: null };
      sources.set('channel.position', at('distance_m'));
    } else if (channel.path_gain_db !== undefined) {
      position = { distanceM: null, pathGainDb: channel.path_gain_db };
      sources.set('channel.position', at('path_gain_db'));
    }
    if (channel.tx_power_dbm !== undefined) {
      txPowerDbm = channel.tx_power_dbm;
      sources.set('channel.tx_power_dbm', at('tx_power_dbm'));
    }
  }
  if (channelPath === null || position === null) return { radio: null, channelPath, sources };
  return { radio: Object.freeze({ ...position, txPowerDbm }), channelPath, sources };
}
