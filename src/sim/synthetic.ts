// `wdmoe simulate <testbed>`: the papers' latency model at any scale, with synthesised routing
// (synth-routing.ts), devices made from the testbed's (synth-devices.ts), a model shape as numbers
// (model-shape.ts), the testbed's channel (createLinkStates, read on the item clock: batch b at b × the
// item interval) and the policies bench runs (resolvePolicies). Every policy sees the same routing and channel.
// Per batch of tokens: Σ over layers of BS work + the slowest device (layer-latency.ts). Called by
// cli/commands/simulate.ts and src/perf/sim.ts.
import type { LatencyBreakdown } from '../bs/index.js';
import { channelTimeMs, createLinkStates } from '../channel/index.js';
import { SeededRandom } from '../links/index.js';
import { buildDeviceEstimates, resolvePolicies, type PolicyContext } from '../policy/index.js';
import path from 'node:path';
import { assertValidTestbed, findProfile, formatIssue, listProfiles, readDeviceProfile, type DeviceProfile, type Testbed } from '../testbed/index.js';
import { SimError } from './errors.js';
import { predictLayer } from './layer-latency.js';
import { resolveModelShape, type ModelShape } from './model-shape.js';
import { latencyFigures, type LatencyFigures } from './latency-figures.js';
import { synthesizeDevices } from './synth-devices.js';
import { fitBsCompute } from './bs-compute-fit.js';
import { fillGateProbs, layerPopularity } from './synth-routing.js';

export interface SyntheticOptions {
  readonly testbedPath: string;
  readonly devices: number | null; // null: the testbed's own
  readonly tokens: number; // per batch (one forward through every layer)
  readonly batches: number; // the latency distribution is over these
  readonly policies: readonly string[];
  readonly modelShape: string | null; // a known name or a file; null: the testbed's bundled model
  readonly alpha: number; // Dirichlet concentration of each layer's expert popularity
  readonly bsComputeMs: number; // BS work per layer (attention, router, policy, combine)
  readonly bsComputeFrom?: string | null; // a bench run whose measured BS work per layer (fitted on tokens) replaces bsComputeMs
  readonly seed: number;
  readonly profile: string | null; // every device runs this device profile (profiles/<name>.yaml); null: each its own
  readonly bandwidthHz: number | null; // the cell's bandwidth in both directions instead of the testbed's (radio testbeds)
  readonly distanceM: number | null; // every radio device at this distance from the BS instead of its own
  readonly cwd: string;
}

// One batch under one policy: its latency and the critical path's parts (they sum to totalMs), ms; the top-k
// slots kept and dropped. What a simulated run folder's results.jsonl lines hold (write-run.ts).
export interface SyntheticBatch extends LatencyBreakdown {
  kept: number;
  dropped: number;
}

export interface SyntheticPolicy {
  policy: string;
  batches: SyntheticBatch[]; // in batch order
  latency: LatencyFigures; // per batch, ms
  breakdown: { bsComputeMs: number; downlinkMs: number; deviceComputeMs: number; uplinkMs: number }; // mean per batch, critical path
  experts: { kept: number; dropped: number };
  devicesPerLayer: number; // mean number of devices used
  criticalShare: number; // mean bandwidth share of the slowest device
  policyMs: number; // wall time the policy itself took, all batches and layers
}

export interface SyntheticReport {
  testbed: string;
  model: ModelShape;
  devices: number;
  tokens: number;
  batches: number;
  seed: number;
  policies: SyntheticPolicy[];
  bsCompute: { fixedMs: number; perTokenMs: number; r2: number | null; from: string | null }; // BS work per layer = fixed + tokens · per_token
  wallMs: number;
}

const PARTS = 7;

// The testbed with its cell's bandwidth (both directions) set to `bandwidthHz`.
function withBandwidth(testbed: Testbed, bandwidthHz: number | null): Testbed {
  if (bandwidthHz === null) return testbed;
  if (!(bandwidthHz > 0)) throw new SimError('usage', `bandwidth ${bandwidthHz} Hz: expected a positive bandwidth`, 'e.g. --sweep bandwidth=5..100MHz');
  const cell = testbed.bs.cell;
  if (cell === null) throw noRadio(testbed, 'its bandwidth');
  return { ...testbed, bs: { ...testbed.bs, cell: { ...cell, downlinkBandwidthHz: bandwidthHz, uplinkBandwidthHz: bandwidthHz } } };
}

// The error for a channel setting on a testbed without a radio cell.
const noRadio = (testbed: Testbed, what: string) =>
  new SimError('usage', `testbed ${testbed.file} has no radio channel (bs.channel): ${what} cannot be set`, 'sweep bandwidth or distance on a wireless testbed, e.g. testbeds/loopback-wireless.yaml');

// A device profile by name (beside the testbed first, then the bundled ones), checked like the testbed's.
function loadProfile(name: string, testbedDir: string): DeviceProfile {
  const file = findProfile('device', name, [path.join(testbedDir, 'profiles')]);
  if (file === null) throw new SimError('profile', `--profile ${name}: no profiles/${name}.yaml beside the testbed or bundled (${listProfiles('device').join(', ')})`, 'give one of the bundled profiles, or write one (docs/profiles.md)');
  const read = readDeviceProfile(file);
  if (!read.ok) throw new SimError('profile', `${file}: ${read.issues.map((issue) => formatIssue(issue)).join('; ')}`, 'fix the profile (docs/profiles.md "Format") or re-measure it with wdmoe profile');
  return read.value;
}

function check(options: SyntheticOptions): void {
  const positive = (name: string, value: number | null) => {
    if (value !== null && !(Number.isInteger(value) && value > 0)) throw new SimError('usage', `--${name} ${value}: expected a positive integer`, `e.g. --${name} 8`);
  };
  positive('devices', options.devices);
  positive('tokens', options.tokens);
  positive('batches', options.batches);
  if (!(options.alpha > 0)) throw new SimError('usage', `--alpha ${options.alpha}: expected a number above 0`, 'e.g. --alpha 1 (uniform-ish), 0.3 (a few popular experts)');
  if (!(options.bsComputeMs >= 0)) throw new SimError('usage', `--bs-compute-ms ${options.bsComputeMs}: expected a number ≥ 0`, 'e.g. --bs-compute-ms 1.5');
}

// Simulates the policies on the testbed's channel; throws SimError/TestbedError for bad input.
export async function simulateSynthetic(options: SyntheticOptions): Promise<SyntheticReport> {
  check(options);
  const startMs = performance.now();
  const { testbed: loaded } = await assertValidTestbed(options.testbedPath);
  const testbed = withBandwidth(loaded, options.bandwidthHz);
  if (options.distanceM !== null && testbed.bs.cell === null) throw noRadio(testbed, 'a distance');
  if (options.distanceM !== null && !(options.distanceM > 0)) throw new SimError('usage', `distance ${options.distanceM} m: expected a positive distance`, 'e.g. --sweep distance=50..500');
  const shape = resolveModelShape(options.modelShape, testbed.modelDir, options.cwd);
  const resolved = await resolvePolicies(options.policies, { cwd: options.cwd });
  const from = options.bsComputeFrom ?? null;
  if (from !== null && options.modelShape !== null) throw new SimError('usage', `--bs-compute-from measures the bundled model's BS work, not ${options.modelShape}'s`, 'drop --model-shape, or give the BS work per layer with --bs-compute-ms');
  const fit = from === null ? null : fitBsCompute(path.resolve(options.cwd, from));
  const bsComputeMs = fit === null ? options.bsComputeMs : fit.fixedMs + fit.perTokenMs * options.tokens;
  const profile = options.profile === null ? null : loadProfile(options.profile, path.dirname(testbed.file));
  const devices = synthesizeDevices(testbed, options.devices, shape, profile, options.distanceM);
  const linkStates = createLinkStates(devices.links, { seed: options.seed });
  const gateProbs = new Float32Array(options.tokens * shape.numExperts);
  const popularity = Array.from({ length: shape.numLayers }, (_, layer) => layerPopularity(options.seed, layer, shape.numExperts, options.alpha));
  const totals = resolved.map(() => new Float64Array(options.batches));
  // Per policy × batch: bs, downlink, compute, uplink, other, kept, dropped (one row of PARTS per batch).
  const parts = resolved.map(() => new Float64Array(options.batches * PARTS));
  const sums = resolved.map(() => ({ bsComputeMs: 0, downlinkMs: 0, deviceComputeMs: 0, uplinkMs: 0, kept: 0, dropped: 0, devices: 0, share: 0, policyMs: 0 }));
  for (let batch = 0; batch < options.batches; batch++) {
    const timeMs = channelTimeMs(testbed.bs.clock, { itemIndex: batch, wallElapsedMs: batch * (testbed.bs.clock.mode === 'item' ? testbed.bs.clock.itemIntervalMs : 100) });
    const estimates = buildDeviceEstimates(devices.sources, linkStates.at(timeMs));
    for (let layer = 0; layer < shape.numLayers; layer++) {
      fillGateProbs(gateProbs, options.tokens, popularity[layer]!, options.seed, batch, layer);
      resolved.forEach((policy, p) => {
        const random = new SeededRandom((options.seed * 1_000_003 + batch * 101 + p) >>> 0);
        const ctx: PolicyContext = {
          layer, tokens: options.tokens, numExperts: shape.numExperts, topK: shape.topK, normalizeTopK: true, gateProbs,
          hiddenSize: shape.hiddenSize, bytesPerValue: 4, devices: estimates, expertDevices: devices.expertDevices[layer]!, random: () => random.next(),
        };
        const policyStart = performance.now();
        const decision = policy.policy(ctx);
        const sum = sums[p]!;
        sum.policyMs += performance.now() - policyStart;
        const prediction = predictLayer(ctx, decision, bsComputeMs);
        totals[p]![batch]! += prediction.totalMs;
        const row = parts[p]!;
        const at = batch * PARTS;
        row[at]! += bsComputeMs;
        row[at + 1]! += prediction.downlinkMs;
        row[at + 2]! += prediction.deviceComputeMs;
        row[at + 3]! += prediction.uplinkMs;
        row[at + 4]! += prediction.otherMs;
        row[at + 5]! += prediction.kept;
        row[at + 6]! += options.tokens * shape.topK - prediction.kept;
        sum.bsComputeMs += bsComputeMs;
        sum.downlinkMs += prediction.downlinkMs;
        sum.deviceComputeMs += prediction.deviceComputeMs;
        sum.uplinkMs += prediction.uplinkMs;
        sum.kept += prediction.kept;
        sum.dropped += options.tokens * shape.topK - prediction.kept;
        let used = 0;
        for (let d = 0; d < prediction.shares.length; d++) used += prediction.shares[d]! > 0 ? 1 : 0;
        sum.devices += used;
        sum.share += prediction.criticalDevice < 0 ? 0 : prediction.shares[prediction.criticalDevice]!;
      });
    }
  }
  const layers = options.batches * shape.numLayers;
  return {
    testbed: options.testbedPath, model: shape, devices: devices.sources.length, tokens: options.tokens, batches: options.batches, seed: options.seed,
    policies: resolved.map((policy, p) => {
      const sum = sums[p]!;
      return {
        policy: policy.label,
        batches: Array.from({ length: options.batches }, (_, batch) => {
          const row = parts[p]!.subarray(batch * PARTS, (batch + 1) * PARTS);
          return { totalMs: totals[p]![batch]!, bsComputeMs: row[0]!, downlinkMs: row[1]!, deviceComputeMs: row[2]!, uplinkMs: row[3]!, otherMs: row[4]!, kept: row[5]!, dropped: row[6]! };
        }),
        latency: latencyFigures(totals[p]!),
        breakdown: { bsComputeMs: sum.bsComputeMs / options.batches, downlinkMs: sum.downlinkMs / options.batches, deviceComputeMs: sum.deviceComputeMs / options.batches, uplinkMs: sum.uplinkMs / options.batches },
        experts: { kept: sum.kept, dropped: sum.dropped },
        devicesPerLayer: sum.devices / layers,
        criticalShare: sum.share / layers,
        policyMs: sum.policyMs,
      };
    }),
    bsCompute: fit === null ? { fixedMs: options.bsComputeMs, perTokenMs: 0, r2: null, from: null } : { fixedMs: fit.fixedMs, perTokenMs: fit.perTokenMs, r2: fit.r2, from },
    wallMs: performance.now() - startMs,
  };
}
