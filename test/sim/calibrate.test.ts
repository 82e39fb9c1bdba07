// Calibration terms fitted from a run's lines, on a hand-made run: a layer's shared residual goes to the
// per-fan-out constant, the spread around it to the per-device distribution, and the combine term is what the
// item totals hold beyond their layers and BS work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LayerRecord, ResultRecord } from '../../src/records/index.js';
import { fitCalibration } from '../../src/sim/calibrate.js';
import type { ReplayRun } from '../../src/sim/replay-run.js';

const device = (total: number, estimate: number) => ({ device: 'd', experts: [], rows: 1, downlink_bytes: 0, uplink_bytes: 0, share: 0.5, estimated_ms: estimate,
  downlink_rate_bits_per_sec: null, uplink_rate_bits_per_sec: null, downlink_ms: 0, device_compute_ms: 0, uplink_ms: 0, total_ms: total });

test('residuals 1 and 3 ms in a layer give a shared 2 ms and a spread of ±1·√2; the combine term is per layer', () => {
  const line = { latency_ms: 10 + 6 + 0.5, bs_compute_ms: 10, devices: [device(5, 4), device(6, 3)] } as unknown as LayerRecord;
  const result = { latency_ms: { total: 2 * 16.5 + 4 + 2 * 0.25, breakdown: { bs_compute: 2 * 10 + 4 } } } as unknown as ResultRecord;
  const run = { layers: [line, line], results: [result] } as unknown as ReplayRun;
  const calibration = fitCalibration(run, () => [line, line]);
  assert.ok(Math.abs(calibration.fanOutMs - (0.5 + 2)) < 1e-9, `fan-out ${calibration.fanOutMs}`);
  assert.equal(calibration.runs, 4);
  assert.deepEqual(calibration.residualsMs.map((r) => Math.round(r * 1e6) / 1e6), [-Math.SQRT2, -Math.SQRT2, Math.SQRT2, Math.SQRT2].map((r) => Math.round(r * 1e6) / 1e6));
  assert.ok(Math.abs(calibration.combineMs - 0.25) < 1e-9, `combine ${calibration.combineMs}`);
});
