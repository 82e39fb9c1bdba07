// Gate arithmetic shared by the policies: softmax of router logits and each token's top-k.
// Called by bs/forward.ts (softmax) and the policy functions (top-k); pure, no I/O.

// Row-wise softmax of n×E logits (numerically stable), as the Mixtral router does before top-k.
export function softmaxRows(logits: Float32Array, rows: number, columns: number): Float32Array {
  const probs = new Float32Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    const base = r * columns;
    let max = -Infinity;
    for (let c = 0; c < columns; c++) max = Math.max(max, logits[base + c]!);
    let sum = 0;
    for (let c = 0; c < columns; c++) {
      const e = Math.exp(logits[base + c]! - max);
      probs[base + c] = e;
      sum += e;
    }
    for (let c = 0; c < columns; c++) probs[base + c]! /= sum;
  }
  return probs;
}

// Indices of the k largest entries of row `row` (ties: lower index first, as torch.topk on CPU), largest first.
export function topKOfRow(probs: Float32Array, row: number, columns: number, k: number): number[] {
  const base = row * columns;
  const order = Array.from({ length: columns }, (_, c) => c);
  order.sort((a, b) => probs[base + b]! - probs[base + a]! || a - b);
  return order.slice(0, k);
}
