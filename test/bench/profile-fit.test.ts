// The compute-model fit: exact on a line, its residual and R² on noisy samples, a negative intercept clamped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitComputeModel } from '../../src/bench/index.js';

test('samples on a line give that line back with no residual', () => {
  const fit = fitComputeModel([1, 2, 4, 8, 16].map((tokens) => ({ tokens, ms: 0.2 + 0.01 * tokens })));
  assert.ok(Math.abs(fit.fixedMs - 0.2) < 1e-12 && Math.abs(fit.perTokenMs - 0.01) < 1e-12, JSON.stringify(fit));
  assert.ok(fit.residualMs < 1e-12);
  assert.equal(fit.r2, 1);
});

test('noisy samples: the least-squares line, RMS residual and R² as computed by hand', () => {
  // x = 1,2,3,4; y = 1,3,2,4 → slope 0.8, intercept 0.5; residuals −0.3, 0.9, −0.9, 0.3 → RMS √0.45; R² = 0.64.
  const fit = fitComputeModel([[1, 1], [2, 3], [3, 2], [4, 4]].map(([tokens, ms]) => ({ tokens: tokens!, ms: ms! })));
  assert.ok(Math.abs(fit.perTokenMs - 0.8) < 1e-12 && Math.abs(fit.fixedMs - 0.5) < 1e-12);
  assert.ok(Math.abs(fit.residualMs - Math.sqrt(0.45)) < 1e-12);
  assert.ok(Math.abs(fit.r2 - 0.64) < 1e-12);
});

test('a negative intercept is clamped to 0 and the slope refitted through the origin', () => {
  const fit = fitComputeModel([{ tokens: 10, ms: 0.5 }, { tokens: 20, ms: 1.5 }]);
  assert.equal(fit.fixedMs, 0);
  assert.ok(Math.abs(fit.perTokenMs - (10 * 0.5 + 20 * 1.5) / (100 + 400)) < 1e-12);
});
