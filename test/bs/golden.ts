// Shared by tests: the default bundle's golden cases (computed by PyTorch/transformers, not by wdmoe)
// and a comparison of wdmoe logits against them on the real (unpadded) positions.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DEFAULT_MODEL_DIR = fileURLToPath(new URL('../../models/tiny-mixtral/', import.meta.url));

export interface GoldenCase {
  name: string;
  input_ids: number[][];
  attention_mask: number[][];
  logits: number[][][];
}

export function loadGoldenCases(dir = DEFAULT_MODEL_DIR): GoldenCase[] {
  return (JSON.parse(readFileSync(`${dir}/golden.json`, 'utf8')) as { cases: GoldenCase[] }).cases;
}

// The unpadded token sequences of a case.
export function sequencesOf(golden: GoldenCase): number[][] {
  return golden.input_ids.map((row, b) => row.filter((_, t) => golden.attention_mask[b]![t] === 1));
}

// Max |wdmoe − golden| over the real positions.
export function maxAbsDiff(golden: GoldenCase, logits: Float32Array, width: number, vocab: number): number {
  let max = 0;
  golden.input_ids.forEach((row, b) => {
    row.forEach((_, t) => {
      if (golden.attention_mask[b]![t] !== 1) return;
      const expected = golden.logits[b]![t]!;
      for (let v = 0; v < vocab; v++) max = Math.max(max, Math.abs(logits[(b * width + t) * vocab + v]! - expected[v]!));
    });
  });
  return max;
}

export interface GoldenDecode {
  name: string;
  prompt_ids: number[];
  steps: Array<{ token_id: number; logits: number[] }>;
}

export function loadGoldenDecodes(dir = DEFAULT_MODEL_DIR): GoldenDecode[] {
  return (JSON.parse(readFileSync(`${dir}/golden.json`, 'utf8')) as { decode: GoldenDecode[] }).decode;
}

// Max |row − expected| over one vocabulary row.
export function maxAbsDiffRow(row: Float32Array, offset: number, expected: readonly number[]): number {
  let max = 0;
  expected.forEach((value, v) => (max = Math.max(max, Math.abs(row[offset + v]! - value))));
  return max;
}
