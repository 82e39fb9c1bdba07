// A two-group summary shared by the report tests.
import type { Summary } from '../../src/records/summary.js';

export const SUMMARY: Summary = {
  formatVersion: 1,
  groups: [
    { dataset: 'add', policy: 'topk', n: 500, acc: 0.912, acc_norm: 0.9, latency_ms: { mean: 12.3456, p50: 12, p90: 15.5, p99: 20.25 },
      breakdown_ms: { bs_compute: 4, uplink: 3, device_compute: 1.5, downlink: 3.5, other: 0.3456 } },
    { dataset: 'add-gen', policy: 'w,d|moe', n: 200, acc: 0.5, acc_norm: null, latency_ms: { mean: 1, p50: 1, p90: 1, p99: 1 },
      breakdown_ms: { bs_compute: 1, uplink: 0, device_compute: 0, downlink: 0, other: 0 } },
  ],
};
