// Policy decision cost: the time each built-in policy takes to decide one MoE layer (60 tokens over 8 experts
// on 8 wireless devices of 8 to 45 dB, hidden 256), against topk's time and against the latency of the layer it
// decides (its own estimate): a policy must cost far less than what it saves. Pure computation, no agents.
import { POLICIES, resolveParams, estimateDeviceMs, equalShares, workOfSlots, type DeviceEstimate, type PolicyContext, type PolicyDecision, type PolicyName } from '../policy/index.js';

export interface PolicyFigure {
  policy: PolicyName;
  decisionMs: number; // median per layer decision
  ratioToTopk: number;
  layerMs: number; // the estimated latency of the layer under this decision
  shareOfLayer: number; // decisionMs / layerMs
}

const TOKENS = 60;
const EXPERTS = 8;

function syntheticLayer(): PolicyContext {
  const gateProbs = new Float32Array(TOKENS * EXPERTS);
  for (let t = 0; t < TOKENS; t++) {
    for (let e = 0; e < EXPERTS; e++) gateProbs[t * EXPERTS + e] = 0.02;
    gateProbs[t * EXPERTS + (t % EXPERTS)] = 0.58;
    gateProbs[t * EXPERTS + ((t * 3 + 1) % EXPERTS)]! += 0.3;
  }
  const devices: DeviceEstimate[] = Array.from({ length: EXPERTS }, (_, d) => {
    const link = { model: 'shannon', bandwidthHz: 20e6, snr: 10 ** ((45 - d * 5) / 10), delayMs: 2, jitterMs: 0, lossRate: 0 } as const;
    return { name: `d${d}`, downlink: link, uplink: link, compute: { fixedMs: 0.15, perTokenMs: 0.005 }, available: true };
  });
  return { layer: 0, tokens: TOKENS, numExperts: EXPERTS, topK: 2, normalizeTopK: true, gateProbs, hiddenSize: 256, bytesPerValue: 4,
    devices, expertDevices: devices.map((_, d) => [d]), random: () => 0.5 };
}

function layerMs(ctx: PolicyContext, decision: PolicyDecision): number {
  const work = workOfSlots(decision.experts, decision.slotDevice, decision.k, ctx.devices.length);
  const shares = decision.bandwidthShare ?? equalShares(work);
  return Math.max(...ctx.devices.map((device, d) => estimateDeviceMs(device, work[d]!, shares[d]!, ctx.hiddenSize * ctx.bytesPerValue)));
}

// Median decision time of every built-in policy (200 decisions after 50 warm-up ones).
export function measurePolicies(): PolicyFigure[] {
  const ctx = syntheticLayer();
  const names: PolicyName[] = ['topk', 'top1', 'wlr', 'bw', 'wdmoe'];
  const timed = names.map((name) => {
    const policy = POLICIES[name].create(resolveParams(name, POLICIES[name].params, {})); // the defaults, as --policy NAME gives
    for (let i = 0; i < 50; i++) policy(ctx);
    const samples: number[] = [];
    let decision = policy(ctx);
    for (let i = 0; i < 200; i++) {
      const start = performance.now();
      decision = policy(ctx);
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    return { policy: name, decisionMs: samples[100]!, layerMs: layerMs(ctx, decision) };
  });
  const topk = timed[0]!.decisionMs;
  return timed.map((t) => ({ ...t, ratioToTopk: t.decisionMs / topk, shareOfLayer: t.decisionMs / t.layerMs }));
}
