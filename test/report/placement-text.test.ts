import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactPlacement } from '../../src/report/placement-text.js';

test('experts held on every layer read as one list over the layer span; otherwise per layer', () => {
  assert.equal(compactPlacement(['0.1', '0.5', '1.1', '1.5', '2.1', '2.5']), '1,5 on layers 0–2');
  assert.equal(compactPlacement(['3.7']), '7 on layer 3');
  assert.equal(compactPlacement(['0.0', '0.4', '1.2']), 'L0:0,4 L1:2');
  assert.equal(compactPlacement(['0.10', '0.2', '2.10', '2.2']), 'L0:2,10 L2:2,10', 'a gap in the layers is spelt out; experts sort as numbers');
  assert.equal(compactPlacement([]), '–');
});
