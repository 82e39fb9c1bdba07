// The papers' layer latency for one policy decision (PAPERS.md "The method"; docs/sim.md):
// BS compute + max over the devices used of (downlink at rateAtShare(state, share) + delay + compute +
// uplink + delay), with the shares the policy chose (equal among the devices used when it chose none) and
// the same per-device estimate the policies use (policy/latency.ts). Where a calibration measured what the
// link model does not see (calibrate.ts), each device's time gets a draw of the measured per-RUN residual, and
// the layer takes the expected maximum over the devices used (the slowest of several noisy devices is slower
// than the slowest estimate). Pure and deterministic; called by replay.ts.
import { computeMs, equalShares, linkTransferMs, workOfSlots, type PolicyContext, type PolicyDecision } from '../policy/index.js';

// Costs the link model does not see, measured on a testbed (calibrate.ts); empty/0 for the bare model.
export interface Overheads {
  // Sorted per device RUN: measured total − the policy-side estimate (protocol, queueing, compute off the profile).
  readonly residualsMs: readonly number[];
  readonly fanOutMs: number; // per layer with devices: planning the requests, waiting on the event loop
}

export const NO_OVERHEADS: Overheads = Object.freeze({ residualsMs: [], fanOutMs: 0 });

// Draws per layer for the expected maximum: stratified per device, shifted by the golden ratio between
// devices so they are decorrelated; deterministic, so a replay prints the same figures every time.
const SAMPLES = 64;
const GOLDEN = 0.6180339887498949;

// One layer's predicted latency and the critical device's parts.
export interface LayerPrediction {
  totalMs: number; // bsComputeMs + fan-out overhead + the (expected) slowest device's time
  criticalDevice: number; // index into ctx.devices of the slowest estimate, -1 when no device was used
  downlinkMs: number;
  deviceComputeMs: number;
  uplinkMs: number;
  otherMs: number; // overheads on the critical path (totalMs − bs − the parts above)
  kept: number; // (token, expert) slots that ran
  shares: Float64Array;
}

// E[max_d (t_d + R_d)] with R_d drawn from `residuals` (sorted), over the `times` of the devices used.
export function expectedMaxMs(times: readonly number[], residuals: readonly number[]): number {
  if (times.length === 0) return 0;
  if (residuals.length === 0) return Math.max(...times);
  let sum = 0;
  for (let s = 0; s < SAMPLES; s++) {
    let max = -Infinity;
    for (let j = 0; j < times.length; j++) {
      const u = ((s + 0.5) / SAMPLES + j * GOLDEN) % 1;
      max = Math.max(max, times[j]! + residuals[Math.min(residuals.length - 1, Math.floor(u * residuals.length))]!);
    }
    sum += max;
  }
  return sum / SAMPLES;
}

// Predicts the layer of `ctx` under `decision`, with `bsComputeMs` of BS work.
export function predictLayer(ctx: PolicyContext, decision: PolicyDecision, bsComputeMs: number, overheads: Overheads = NO_OVERHEADS): LayerPrediction {
  const work = workOfSlots(decision.experts, decision.slotDevice, decision.k, ctx.devices.length);
  const shares = decision.bandwidthShare ?? equalShares(work);
  const rowBytes = ctx.hiddenSize * ctx.bytesPerValue;
  let critical = -1;
  let best = { total: 0, downlink: 0, compute: 0, uplink: 0 };
  let kept = 0;
  const times: number[] = [];
  work.forEach((w, d) => {
    kept += w.pairs;
    if (w.rows === 0) return;
    const device = ctx.devices[d]!;
    const bytes = w.rows * rowBytes;
    const downlink = linkTransferMs(device.downlink, shares[d] ?? 0, bytes);
    const uplink = linkTransferMs(device.uplink, shares[d] ?? 0, bytes);
    const compute = computeMs(device, w);
    const total = downlink + compute + uplink;
    times.push(total);
    if (critical < 0 || total > best.total) [critical, best] = [d, { total, downlink, compute, uplink }];
  });
  const devicesMs = critical < 0 ? 0 : expectedMaxMs(times, overheads.residualsMs) + overheads.fanOutMs;
  return {
    totalMs: bsComputeMs + devicesMs,
    criticalDevice: critical,
    downlinkMs: best.downlink,
    deviceComputeMs: best.compute,
    uplinkMs: best.uplink,
    otherMs: Math.max(0, devicesMs - best.total),
    kept,
    shares,
  };
}
