// The simulator at the scale: 1000 devices × 10,000 tokens × 32 layers (Mixtral-8x7B's shape), topk and
// wdmoe, one batch on loopback-wireless's channel with the devices spread from 60 to 450 m — the wall time of
// the whole simulation (routing synthesis, both policies, the layer model) and per simulated token-layer.
// Goal < 10 s. Pure computation through sim/'s simulateSynthetic, no agents.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulateSynthetic } from '../sim/index.js';

export interface SimFigure {
  devices: number;
  tokens: number;
  layers: number;
  policies: string[];
  seconds: number;
  microsecondsPerTokenLayer: number; // per policy: seconds / (tokens × layers × policies)
  latencyMs: Record<string, number>; // each policy's predicted batch latency, to see it ran
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// One simulation at the scale figure's size.
export async function measureSim(): Promise<SimFigure> {
  const policies = ['topk', 'wdmoe'];
  const startMs = performance.now();
  const report = await simulateSynthetic({
    testbedPath: path.join(ROOT, 'testbeds/loopback-wireless.yaml'), devices: 1000, tokens: 10_000, batches: 1, policies,
    modelShape: 'mixtral-8x7b', alpha: 1, bsComputeMs: 0, seed: 0, profile: null, bandwidthHz: null, distanceM: null, cwd: ROOT,
  });
  const seconds = (performance.now() - startMs) / 1000;
  return {
    devices: report.devices, tokens: report.tokens, layers: report.model.numLayers, policies, seconds,
    microsecondsPerTokenLayer: (seconds * 1e6) / (report.tokens * report.model.numLayers * policies.length),
    latencyMs: Object.fromEntries(report.policies.map((p) => [p.policy, p.latency.mean])),
  };
}
