// Per-device load per series from layers.jsonl: layer calls served, token rows, bytes each way, busy
// (compute) time, link time, how often the device was the critical one, and its mean bandwidth share
// where the layers format records one. Series of a run without layers.jsonl have no rows.
// Pure; called by build-report.ts.

import type { DeviceLoadRow } from './report-types.js';
import type { Series } from './series.js';
import { meanOf } from './statistics.js';

interface Tally { calls: number; rows: number; down: number; up: number; compute: number; link: number; critical: number; shares: number[] }

// One row per (series, device), devices in name order (dev-2 before dev-10).
export function deviceLoadRows(series: readonly Series[]): DeviceLoadRow[] {
  return series.flatMap((one) => {
    const tallies = new Map<string, Tally>();
    for (const line of one.folder.layers ?? []) {
      if (line.policy !== one.ref.policy) continue;
      for (const entry of line.devices) {
        const tally = tallies.get(entry.device) ?? { calls: 0, rows: 0, down: 0, up: 0, compute: 0, link: 0, critical: 0, shares: [] };
        tally.calls += 1;
        tally.rows += entry.rows;
        tally.down += entry.downlink_bytes;
        tally.up += entry.uplink_bytes;
        tally.compute += entry.device_compute_ms;
        tally.link += entry.downlink_ms + entry.uplink_ms;
        if (line.critical_device === entry.device) tally.critical += 1;
        if (typeof entry.share === 'number') tally.shares.push(entry.share);
        tallies.set(entry.device, tally);
      }
    }
    return [...tallies].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })).map(([device, tally]) => ({
      ...one.ref,
      device,
      layer_calls: tally.calls,
      token_rows: tally.rows,
      downlink_bytes: tally.down,
      uplink_bytes: tally.up,
      compute_ms: tally.compute,
      link_ms: tally.link,
      critical: tally.critical,
      mean_share: tally.shares.length === 0 ? null : meanOf(tally.shares),
    }));
  });
}
