// Model shapes: the named Mixtral-8x7B, a shape file (expert FLOPs from intermediate_size), the bundled model
// from its manifest, and impossible shapes refused with the field named (exit 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { resolveModelShape } from '../../src/sim/model-shape.js';
import { SimError } from '../../src/sim/errors.js';

const ROOT = path.join(import.meta.dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/sim');
const MODEL = path.join(ROOT, 'models/tiny-mixtral');

test('mixtral-8x7b is 32 layers × 8 experts, top-2, hidden 4096, 6·4096·14336 FLOP per token per expert', () => {
  const shape = resolveModelShape('mixtral-8x7b', MODEL, ROOT);
  assert.deepEqual([shape.numLayers, shape.numExperts, shape.topK, shape.hiddenSize], [32, 8, 2, 4096]);
  assert.ok(Math.abs(shape.expertGflopsPerToken! - 0.352321536) < 1e-9);
});

test('no shape: the testbed\'s bundled model, timed by the profiles (no FLOPs)', () => {
  const shape = resolveModelShape(null, MODEL, ROOT);
  assert.deepEqual([shape.name, shape.numLayers, shape.numExperts, shape.topK, shape.hiddenSize, shape.expertGflopsPerToken], ['tiny-mixtral', 4, 8, 2, 256, null]);
});

test('a shape file gives its numbers and its FLOPs from intermediate_size', () => {
  const shape = resolveModelShape(path.join(FIXTURES, 'shape-small.yaml'), MODEL, ROOT);
  assert.deepEqual([shape.name, shape.numLayers, shape.numExperts, shape.topK], ['small-moe', 6, 16, 2]);
  assert.ok(Math.abs(shape.expertGflopsPerToken! - (6 * 1024 * 2048) / 1e9) < 1e-12);
});

const invalid = [
  { name: 'top-k above the experts', file: 'shape-top-k.yaml', error: /top_k 6 is above num_experts 4/ },
  { name: 'a zero hidden size', file: 'shape-zero-hidden.yaml', error: /field "hidden_size"/ },
  { name: 'neither a known name nor a file', file: 'mixtral-9x9b', error: /no such file, and not a known shape \(mixtral-8x7b\)/ },
];
for (const c of invalid) {
  test(`an impossible model shape is refused: ${c.name}`, () => {
    assert.throws(() => resolveModelShape(path.join(FIXTURES, c.file), MODEL, ROOT), (error: unknown) =>
      error instanceof SimError && error.code === 'sim-model-shape' && error.exitCode === 2 && c.error.test(error.message));
  });
}
