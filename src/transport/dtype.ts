// Element types of tensors on the wire (fp32, fp16) and the fp16 <-> fp32 conversion the codec uses.
// Pure: no I/O. Called by the frame codec (frame-fields.ts, frame-run.ts) only; compute always sees fp32.

// The dtypes a RUN/RESULT may carry.
export type WireDtype = 'fp32' | 'fp16';

// Wire codes of the dtype byte (docs/protocol.md, "run (0x10)": 1 = fp32, 2 = fp16).
export const DTYPE_CODES: Readonly<Record<WireDtype, number>> = { fp32: 1, fp16: 2 };

// Bytes per element of each dtype.
export const DTYPE_BYTES: Readonly<Record<WireDtype, number>> = { fp32: 4, fp16: 2 };

// The dtype for a wire code, or undefined for an unknown code.
export function dtypeFromCode(code: number): WireDtype | undefined {
  return code === 1 ? 'fp32' : code === 2 ? 'fp16' : undefined;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

// IEEE 754 binary32 -> binary16, round to nearest even; overflow -> ±Inf, NaN stays NaN.
export function float32ToFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0); // Inf / NaN
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow
  if (e <= 0) {
    if (e < -10) return sign; // underflow to ±0
    mantissa |= 0x800000; // subnormal half: shift the implicit bit in
    const shift = 14 - e;
    const half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    return sign | (half + (rest > halfway || (rest === halfway && (half & 1) === 1) ? 1 : 0));
  }
  const half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // Rounding may carry into the exponent; that is the correct result (up to Inf).
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1) ? 1 : 0));
}

// IEEE 754 binary16 bits -> number.
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

// Converts a whole array to fp16 bits.
export function float32ToFloat16(source: Float32Array): Uint16Array {
  const out = new Uint16Array(source.length);
  for (let i = 0; i < source.length; i++) out[i] = float32ToFloat16Bits(source[i]!);
  return out;
}

// Converts fp16 bits back to fp32.
export function float16ToFloat32(source: Uint16Array): Float32Array {
  const out = new Float32Array(source.length);
  for (let i = 0; i < source.length; i++) out[i] = float16BitsToFloat32(source[i]!);
  return out;
}
