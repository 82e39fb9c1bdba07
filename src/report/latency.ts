// Latency per series over all its items: mean/p50/p90/p99 of each item's total, and the mean of each
// breakdown part (BS compute, downlink, device compute, uplink, other). Pure; called by build-report.ts.

import { BREAKDOWN_KEYS, type ResultRecord } from '../records/index.js';
import type { BreakdownRow, LatencyRow, SeriesRef } from './report-types.js';
import type { Series } from './series.js';
import { meanOf, spreadOf } from './statistics.js';

// The latency row of some items (non-empty) under `ref`.
export function latencyRowOf(ref: SeriesRef, results: readonly ResultRecord[]): LatencyRow {
  const spread = spreadOf(results.map((record) => record.latency_ms.total));
  return { ...ref, n: results.length, mean_ms: spread.mean, p50_ms: spread.p50, p90_ms: spread.p90, p99_ms: spread.p99 };
}

// One latency row per series.
export function latencyRows(series: readonly Series[]): LatencyRow[] {
  return series.map((one) => latencyRowOf(one.ref, one.results));
}

// One breakdown row per series: the mean of each part and of the total, in ms.
export function breakdownRows(series: readonly Series[]): BreakdownRow[] {
  return series.map((one) => {
    const part = (key: (typeof BREAKDOWN_KEYS)[number]): number => meanOf(one.results.map((record) => record.latency_ms.breakdown[key]));
    return {
      ...one.ref,
      bs_compute_ms: part('bs_compute'),
      downlink_ms: part('downlink'),
      device_compute_ms: part('device_compute'),
      uplink_ms: part('uplink'),
      other_ms: part('other'),
      total_ms: meanOf(one.results.map((record) => record.latency_ms.total)),
    };
  });
}
