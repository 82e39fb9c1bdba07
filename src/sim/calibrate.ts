// Fits, from a recorded run's per-layer log, what the papers' link model does not see (docs/sim.md
// "Calibration"): each device RUN's residual (its measured total minus the policy-side estimate bench recorded
// beside it: protocol, queueing on the shared cores, compute off the profile), split into the part a layer's
// devices share (its mean, a constant per layer) and their spread around it (a distribution, drawn per device),
// the fan-out's per-layer cost (layer wall minus BS work minus the slowest device) and the per-layer time outside
// both (combining the answers: item total minus its layers' walls and the BS's other work). Fitted once per
// run from all its lines (medians for the constants), never per item. Pure; called by replay.ts.
import { mean, median } from 'simple-statistics';
import type { LayerRecord, ResultRecord } from '../records/index.js';
import { residualQuantiles, type Overheads } from './layer-latency.js';
import type { ReplayRun } from './replay-run.js';

export interface Calibration extends Overheads {
  readonly runs: number; // device RUNs the residuals were measured on
  readonly combineMs: number; // per layer, outside the fan-out and the BS's timed work
}

export const NO_CALIBRATION: Calibration = Object.freeze({ residualsMs: [], runs: 0, fanOutMs: 0, combineMs: 0 });

const medianOr = (values: number[], fallback: number) => (values.length === 0 ? fallback : median(values));

// The run's calibration terms; `linesOf(result)` gives the layer lines of a result's item and policy.
export function fitCalibration(run: ReplayRun, linesOf: (result: ResultRecord) => readonly LayerRecord[]): Calibration {
  const spread: number[] = [];
  const shared: number[] = [];
  const fanOut: number[] = [];
  let runs = 0;
  for (const line of run.layers) {
    if (line.devices.length === 0) continue;
    fanOut.push(line.latency_ms - line.bs_compute_ms - Math.max(...line.devices.map((device) => device.total_ms)));
    const residuals = line.devices.flatMap((device) => (device.estimated_ms === null || device.estimated_ms === undefined ? [] : [device.total_ms - device.estimated_ms]));
    if (residuals.length === 0) continue;
    runs += residuals.length;
    // A layer's residuals share a part (the machine's state then) and spread around it; only the spread is
    // drawn independently per device, with the deviations from a layer's mean rescaled by √(n/(n−1)) so they
    // keep the spread's variance.
    const layerMean = mean(residuals);
    shared.push(layerMean);
    if (residuals.length > 1) for (const r of residuals) spread.push((r - layerMean) * Math.sqrt(residuals.length / (residuals.length - 1)));
  }
  const combine = run.results.flatMap((result) => {
    const lines = linesOf(result);
    if (lines.length === 0) return [];
    const layerBs = lines.reduce((sum, line) => sum + line.bs_compute_ms, 0);
    const layerWall = lines.reduce((sum, line) => sum + line.latency_ms, 0);
    return [(result.latency_ms.total - layerWall - (result.latency_ms.breakdown.bs_compute - layerBs)) / lines.length];
  });
  return {
    residualsMs: residualQuantiles(spread.sort((a, b) => a - b)),
    runs,
    fanOutMs: Math.max(0, medianOr(fanOut, 0) + (shared.length === 0 ? 0 : mean(shared))),
    combineMs: Math.max(0, medianOr(combine, 0)),
  };
}
