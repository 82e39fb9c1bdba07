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
  // Per device RUN, the spread of (measured total − the policy-side estimate) around its layer's mean, as sorted
  // equally likely quantiles (residualQuantiles): drawn independently per device.
  readonly residualsMs: readonly number[];
  // Per layer with devices: planning the requests, the event loop, and the residual's part all devices share.
  readonly fanOutMs: number;
}

export const NO_OVERHEADS: Overheads = Object.freeze({ residualsMs: [], fanOutMs: 0 });

// The residual distribution is reduced to this many equal-probability quantiles for the expected maximum.
const QUANTILES = 64;

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

// The `count` mid-stratum quantiles of sorted `values` (each of probability 1/count).
export function residualQuantiles(values: readonly number[], count = QUANTILES): number[] {
  if (values.length <= count) return [...values];
  return Array.from({ length: count }, (_, i) => values[Math.min(values.length - 1, Math.floor(((i + 0.5) / count) * values.length))]!);
}

// Number of entries of sorted `values` ≤ x.
function countAtMost(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// E[max_d (t_d + R_d)] exactly, with R_d independent draws from `quantiles` (sorted, equally likely), over the
// `times` of the devices used: the maximum's CDF is Π_d F(x − t_d), evaluated at every point it can take.
export function expectedMaxMs(times: readonly number[], quantiles: readonly number[]): number {
  if (times.length === 0) return 0;
  if (quantiles.length === 0) return Math.max(...times);
  const points = times.flatMap((t) => quantiles.map((q) => t + q)).sort((a, b) => a - b);
  let expected = 0;
  let previous = 0;
  for (let i = 0; i < points.length; i++) {
    if (i + 1 < points.length && points[i + 1] === points[i]) continue;
    let cdf = 1;
    for (const t of times) cdf *= countAtMost(quantiles, points[i]! - t) / quantiles.length;
    expected += points[i]! * (cdf - previous);
    previous = cdf;
  }
  return expected;
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
