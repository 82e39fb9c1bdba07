// A device's experts in a few characters for the testbed table: "0,4 on layers 0–3" when it holds the
// same experts on every layer it appears in, else "L0:0,4 L1:2". Pure; used by sections.ts.

// ExpertKeys ("3.7" = layer 3, expert 7) as compact text; "–" for none.
export function compactPlacement(keys: readonly string[]): string {
  if (keys.length === 0) return '–';
  const byLayer = new Map<number, number[]>();
  for (const key of keys) {
    const [layer, expert] = key.split('.').map(Number) as [number, number];
    byLayer.set(layer, [...(byLayer.get(layer) ?? []), expert]);
  }
  const layers = [...byLayer.keys()].sort((a, b) => a - b);
  const lists = layers.map((layer) => byLayer.get(layer)!.sort((a, b) => a - b).join(','));
  const contiguous = layers.every((layer, i) => i === 0 || layer === layers[i - 1]! + 1);
  if (lists.every((list) => list === lists[0]) && contiguous) {
    const span = layers.length === 1 ? `layer ${layers[0]}` : `layers ${layers[0]}–${layers[layers.length - 1]}`;
    return `${lists[0]} on ${span}`;
  }
  return layers.map((layer, i) => `L${layer}:${lists[i]}`).join(' ');
}
