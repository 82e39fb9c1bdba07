// Expert placement: parses expert specs ("3", "2.5", "*.5", "2.*", "*") and expands a testbed's
// `placement` (round-robin or an explicit map, replicas allowed) into ExpertKey → devices.
// Used by normalise.ts and rules.ts; pure, no I/O.
import { isMap, isScalar, isSeq, type Document } from 'yaml';
import type { DeviceName, ExpertKey, ModelShape } from './types.js';

// One parsed spec; '*' means every layer / every expert.
export interface ExpertSpec {
  readonly layer: number | '*';
  readonly expert: number | '*';
}

// Parses a spec already checked by the schema's pattern. "3" = expert 3 of every layer.
export function parseExpertSpec(spec: string): ExpertSpec {
  const [first, second] = spec.split('.') as [string, string | undefined];
  const part = (text: string): number | '*' => (text === '*' ? '*' : Number(text));
  if (second === undefined) return first === '*' ? { layer: '*', expert: '*' } : { layer: '*', expert: part(first) };
  return { layer: part(first), expert: part(second) };
}

// The expert key of `expert` in `layer`.
export function expertKey(layer: number, expert: number): ExpertKey {
  return `${layer}.${expert}`;
}

// Every expert key of the model, layer-major.
export function allExpertKeys(shape: ModelShape): ExpertKey[] {
  const keys: ExpertKey[] = [];
  for (let layer = 0; layer < shape.numLayers; layer += 1) {
    for (let expert = 0; expert < shape.numExperts; expert += 1) keys.push(expertKey(layer, expert));
  }
  return keys;
}

// The keys a spec covers within the model (out-of-range parts cover nothing; rules.ts reports them).
export function expandExpertSpec(spec: ExpertSpec, shape: ModelShape): ExpertKey[] {
  return allExpertKeys(shape).filter((key) => {
    const [layer, expert] = key.split('.').map(Number) as [number, number];
    return (spec.layer === '*' || spec.layer === layer) && (spec.expert === '*' || spec.expert === expert);
  });
}

// ExpertKey → devices, layer-major. round-robin: expert e → devices e, e+1, …, e+replicas−1 (mod D), in that
// order (`replicas` is capped at D; rules.ts reports a larger one); a map: its devices in testbed order.
export function expandPlacement(
  placement: 'round-robin' | Readonly<Record<string, readonly string[]>>,
  devices: readonly DeviceName[],
  shape: ModelShape,
  replicas = 1,
): Map<ExpertKey, DeviceName[]> {
  const result = new Map<ExpertKey, DeviceName[]>(allExpertKeys(shape).map((key) => [key, []]));
  if (devices.length === 0) return result;
  if (placement === 'round-robin') {
    const copies = Math.max(1, Math.min(replicas, devices.length));
    for (const key of result.keys()) {
      const expert = Number(key.split('.')[1]);
      for (let copy = 0; copy < copies; copy += 1) result.get(key)!.push(devices[(expert + copy) % devices.length]!);
    }
    return result;
  }
  for (const device of devices) {
    for (const spec of placement[device] ?? []) {
      for (const key of expandExpertSpec(parseExpertSpec(spec), shape)) {
        const holders = result.get(key)!;
        if (!holders.includes(device)) holders.push(device);
      }
    }
  }
  return result;
}

// YAML reads `- 2.10` as the number 2.1: keep placement specs exactly as written, as strings.
export function keepPlacementSpecsAsWritten(doc: Document): void {
  const placement = doc.get('placement', true);
  if (!isMap(placement)) return;
  for (const pair of placement.items) {
    if (!isSeq(pair.value)) continue;
    for (const item of pair.value.items) {
      if (isScalar(item) && typeof item.value === 'number' && item.source !== undefined) item.value = item.source;
    }
  }
}
