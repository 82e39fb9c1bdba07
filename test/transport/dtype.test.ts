// fp16 conversion: exact on representable values, round-to-nearest-even, overflow, subnormals, NaN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { float16BitsToFloat32, float32ToFloat16Bits, float32ToFloat16, float16ToFloat32, dtypeFromCode, DTYPE_CODES } from '../../src/transport/dtype.js';

test('known fp16 bit patterns', () => {
  const table: Array<[number, number]> = [[0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff],
    [65520, 0x7c00], [1e9, 0x7c00], [-Infinity, 0xfc00], [2 ** -24, 0x0001], [2 ** -14, 0x0400], [2 ** -26, 0x0000], [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02]];
  for (const [value, bits] of table) assert.equal(float32ToFloat16Bits(value), bits, `${value}`);
  assert.ok(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(NaN))));
});

test('every fp16 value converts to fp32 and back to the same bits', () => {
  for (let bits = 0; bits < 0x10000; bits++) {
    const value = float16BitsToFloat32(bits);
    if (Number.isNaN(value)) continue;
    assert.equal(float32ToFloat16Bits(value), bits, `bits 0x${bits.toString(16)}`);
  }
});

test('array conversion is nearest within half an ulp', () => {
  fc.assert(fc.property(fc.float({ min: -1000, max: 1000, noNaN: true }), (v) => {
    const back = float16ToFloat32(float32ToFloat16(new Float32Array([v])))[0]!;
    assert.ok(Math.abs(back - v) <= Math.max(Math.abs(v) * 2 ** -11, 2 ** -25));
  }));
});

test('dtype codes', () => {
  assert.equal(dtypeFromCode(DTYPE_CODES.fp32), 'fp32');
  assert.equal(dtypeFromCode(DTYPE_CODES.fp16), 'fp16');
  assert.equal(dtypeFromCode(3), undefined);
});
