// The synthetic simulator's devices: the testbed's own, or `--devices N` made from them — device i copies the
// links and profile of testbed device i mod D, and where the testbed's devices are radios at distances, the N
// devices are spread evenly between the nearest and the farthest. Expert compute is the profile's measured
// compute_model for the testbed's bundled model, else the shape's expert FLOPs over the profile's fp32_gflops
// (plus the profile's fixed cost per expert run). Placement: the testbed's when devices and model are its own;
// else, with at least as many devices as experts, device d holds expert (d + l) mod E of layer l (replicas: the
// policies send each slot to the fastest one), and with fewer, expert e of layer l is on device (l·E + e) mod N.
// Pure; called by synthetic.ts.
import type { LinkStatesInput } from '../channel/index.js';
import type { EstimateSource } from '../policy/index.js';
import type { DeviceProfile, Testbed } from '../testbed/index.js';
import type { ModelShape } from './model-shape.js';

export interface SyntheticDevices {
  readonly links: LinkStatesInput; // for createLinkStates
  readonly sources: EstimateSource[];
  readonly expertDevices: number[][][]; // [layer][expert] → device indices
}

function spreadDistances(testbed: Testbed, count: number): (number | null)[] {
  const distances = testbed.devices.flatMap((device) => (device.link.radio?.distanceM == null ? [] : [device.link.radio.distanceM]));
  if (distances.length === 0) return new Array<number | null>(count).fill(null);
  const near = Math.min(...distances);
  const far = Math.max(...distances);
  return Array.from({ length: count }, (_, i) => (count === 1 ? near : near + ((far - near) * i) / (count - 1)));
}

// `count` devices (null: the testbed's) for a model of `shape`; `profileOverride` replaces every device's profile,
// `distanceM` puts every radio device at that distance.
export function synthesizeDevices(testbed: Testbed, count: number | null, shape: ModelShape, profileOverride: DeviceProfile | null = null, distanceM: number | null = null): SyntheticDevices {
  const own = count === null || count === testbed.devices.length;
  const n = count ?? testbed.devices.length;
  const distances = distanceM !== null ? new Array<number | null>(n).fill(distanceM) : own ? testbed.devices.map((device) => device.link.radio?.distanceM ?? null) : spreadDistances(testbed, n);
  const devices = Array.from({ length: n }, (_, i) => {
    const template = testbed.devices[i % testbed.devices.length]!;
    const radio = template.link.radio === null ? null : distances[i] === null ? template.link.radio : { ...template.link.radio, distanceM: distances[i]!, pathGainDb: null };
    return { name: own ? template.name : `sim-${i}`, profile: template.profile, link: { downlink: template.link.downlink, uplink: template.link.uplink, radio } };
  });
  const sources = devices.map((device) => {
    const profile = profileOverride ?? testbed.profiles.get(device.profile);
    const fixedMs = profile?.computeModel.fixedMs ?? 0;
    const perTokenMs = shape.expertGflopsPerToken === null || profile === undefined
      ? profile?.computeModel.perTokenMs ?? 0
      : (shape.expertGflopsPerToken / profile.fp32Gflops) * 1000;
    return { name: device.name, compute: { fixedMs, perTokenMs } };
  });
  const isTestbedModel = shape.expertGflopsPerToken === null && shape.numLayers === testbed.model.numLayers && shape.numExperts === testbed.model.numExperts;
  const indexOf = new Map(devices.map((device, index) => [device.name, index]));
  const expertDevices = Array.from({ length: shape.numLayers }, (_, layer) => Array.from({ length: shape.numExperts }, (_, expert) => {
    const holders = own && isTestbedModel ? (testbed.placement.get(`${layer}.${expert}`) ?? []).map((name) => indexOf.get(name)!) : [];
    if (holders.length > 0) return holders;
    if (n < shape.numExperts) return [(layer * shape.numExperts + expert) % n];
    // Replicas: device d holds expert (d + layer) mod E of every layer, so each expert has ⌊N/E⌋ or ⌈N/E⌉ replicas.
    return Array.from({ length: n }, (_, d) => d).filter((d) => (d + layer) % shape.numExperts === expert);
  }));
  return { links: { bs: testbed.bs, devices }, sources, expertDevices };
}
