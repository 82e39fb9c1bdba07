// Runs a set of experts on rows of hidden states: the device-side computation of a RUN request,
// and the in-process "device" of the monolithic reference (--placement local).
// Called by agent/ (served over the wire) and bs/ (local dispatch). Imports no transport code:
// the request shape below matches transport's RunRequest structurally.
import { loadManifest } from './manifest.js';
import { loadRoleSession } from './bundle.js';
import type { OnnxSession } from './onnx.js';
import { ModelBundleError } from './errors.js';

// The part of a RUN request the experts need: rows×hidden states and per row k (expert, weight) pairs.
export interface ExpertWork {
  layer: number;
  rows: number;
  hidden: number;
  k: number;
  states: Float32Array;
  experts: Uint16Array; // rows×k, NO_EXPERT = unused slot
  weights: Float32Array; // rows×k
}

export const NO_EXPERT = 0xffff;

// Something that applies experts to rows; the agent serves one, the BS's local placement uses one.
export interface ExpertCompute {
  readonly experts: readonly string[]; // ExpertKey "layer.expert"
  readonly hiddenSize?: number; // the experts' input/output width; the agent refuses a RUN of another hidden
  apply(work: ExpertWork): Promise<Float32Array>;
  release(): Promise<void>;
}

// Loads the given experts ("layer.expert" keys, or every expert when `keys` is 'all') from a bundle.
export async function loadExpertCompute(
  dir: string,
  keys: readonly string[] | 'all',
  options: { intraOpThreads: number },
): Promise<ExpertCompute> {
  const manifest = await loadManifest(dir);
  const arch = manifest.manifest.architecture;
  const wanted =
    keys === 'all'
      ? Array.from({ length: arch.numLayers * arch.numExperts }, (_, i) => `${Math.floor(i / arch.numExperts)}.${i % arch.numExperts}`)
      : [...keys];
  const sessions = new Map<string, OnnxSession>();
  // Load sequentially: agents on small devices should not hold every file in memory at once.
  for (const key of wanted) {
    sessions.set(key, await loadRoleSession(manifest, `expert.${key}`, options.intraOpThreads));
  }
  return {
    experts: wanted,
    hiddenSize: arch.hiddenSize,
    apply: (work) => applyExperts(sessions, work, arch.hiddenSize),
    release: async () => {
      await Promise.all([...sessions.values()].map((session) => session.release()));
    },
  };
}

// Σ over each row's (expert, weight) pairs of weight · expert(row), one batched session run per expert.
async function applyExperts(sessions: ReadonlyMap<string, OnnxSession>, work: ExpertWork, hiddenSize: number): Promise<Float32Array> {
  const { rows, hidden, k, states, experts, weights, layer } = work;
  if (hidden !== hiddenSize) {
    throw new ModelBundleError('bundle-invalid', `expert.${layer}.*`, `request has hidden ${hidden}, model has ${hiddenSize}`);
  }
  const byExpert = new Map<number, number[]>(); // expert → slot indices (row*k + j)
  for (let slot = 0; slot < rows * k; slot++) {
    const expert = experts[slot]!;
    if (expert === NO_EXPERT) continue;
    let slots = byExpert.get(expert);
    if (slots === undefined) byExpert.set(expert, (slots = []));
    slots.push(slot);
  }
  const output = new Float32Array(rows * hidden);
  for (const [expert, slots] of byExpert) {
    const session = sessions.get(`${layer}.${expert}`);
    if (session === undefined) {
      throw new ModelBundleError('bundle-invalid', `expert.${layer}.${expert}`, 'is not loaded on this device', {
        hint: 'the placement sent to this device does not match the experts it was started with',
      });
    }
    const gathered = new Float32Array(slots.length * hidden);
    slots.forEach((slot, i) => gathered.set(states.subarray(Math.floor(slot / k) * hidden, (Math.floor(slot / k) + 1) * hidden), i * hidden));
    const result = await session.run({ x: { type: 'float32', data: gathered, dims: [slots.length, hidden] } });
    const y = result['y']!.data;
    slots.forEach((slot, i) => {
      const weight = weights[slot]!;
      const base = Math.floor(slot / k) * hidden;
      for (let h = 0; h < hidden; h++) output[base + h]! += weight * y[i * hidden + h]!;
    });
  }
  return output;
}
