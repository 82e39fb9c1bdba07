// Field-level helpers shared by the frame codecs: allocating a frame with its header written,
// bounds checks that throw ProtocolError (length, minimum length, ranges, dtype, string size), and
// tensor reads/writes (zero-copy views when aligned, fp16 conversion). Pure leaf: no sockets, timers
// or logging. Used only by frame-run.ts and frame-control.ts; not part of the public API.
import { ProtocolError } from './errors.js';
import { dtypeFromCode, float16ToFloat32, float32ToFloat16, type WireDtype } from './dtype.js';
import { HEADER_BYTES, encodeHeader, type FrameLimits, type FrameType } from './frame-header.js';

// Typed-array views of wire bytes are only valid on a little-endian host.
export const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// A frame buffer with the header written; the payload is filled by the caller.
export function allocateFrame(type: FrameType, requestId: number, payloadLength: number): Buffer {
  const buffer = Buffer.allocUnsafe(HEADER_BYTES + payloadLength);
  encodeHeader(buffer, type, requestId, payloadLength);
  return buffer;
}

// Throws bad-length unless the payload is exactly `expected` bytes (a payload, or just its length from a header).
export function expectLength(type: FrameType, payload: { readonly length: number }, expected: number): void {
  if (payload.length !== expected) {
    throw new ProtocolError('bad-length', `${type} payload is ${payload.length} bytes, its fields say ${expected}`);
  }
}

// Throws truncated when the payload is shorter than its fixed part.
export function expectAtLeast(type: FrameType, payload: { readonly length: number }, minimum: number): void {
  if (payload.length < minimum) throw new ProtocolError('truncated', `${type} payload is ${payload.length} bytes, needs at least ${minimum}`);
}

// Throws bad-shape when a count read from the wire is outside min..max (checked before allocating).
export function checkRange(type: FrameType, field: string, value: number, min: number, max: number): void {
  if (value < min || value > max) throw new ProtocolError('bad-shape', `${type} ${field} ${value} is outside ${min}..${max}`);
}

// Copies a typed array's bytes into `target` at `offset` (byte copy: no alignment needed).
export function copyBytes(source: ArrayBufferView, target: Buffer, offset: number): void {
  target.set(new Uint8Array(source.buffer, source.byteOffset, source.byteLength), offset);
}

// A Float32Array over payload bytes: a view when aligned (zero-copy), else a copy.
export function readFloat32(payload: Buffer, offset: number, count: number): Float32Array {
  const at = payload.byteOffset + offset;
  if (IS_LITTLE_ENDIAN && at % 4 === 0) return new Float32Array(payload.buffer, at, count);
  const out = new Float32Array(count);
  if (IS_LITTLE_ENDIAN) new Uint8Array(out.buffer).set(payload.subarray(offset, offset + count * 4));
  else for (let i = 0; i < count; i++) out[i] = payload.readFloatLE(offset + i * 4);
  return out;
}

// A Uint16Array over payload bytes: a view when aligned (zero-copy), else a copy.
export function readUint16(payload: Buffer, offset: number, count: number): Uint16Array {
  const at = payload.byteOffset + offset;
  if (IS_LITTLE_ENDIAN && at % 2 === 0) return new Uint16Array(payload.buffer, at, count);
  const out = new Uint16Array(count);
  for (let i = 0; i < count; i++) out[i] = payload.readUInt16LE(offset + i * 2);
  return out;
}

// The wire bytes of a tensor: a view of the caller's fp32 memory (no copy), or fresh fp16 bits.
export function tensorBytes(values: Float32Array, dtype: WireDtype, byteLength: number): Buffer {
  if (dtype === 'fp32' && IS_LITTLE_ENDIAN) return Buffer.from(values.buffer, values.byteOffset, byteLength);
  const out = Buffer.allocUnsafe(byteLength);
  if (dtype === 'fp16') copyBytes(float32ToFloat16(values), out, 0);
  else for (let i = 0; i < values.length; i++) out.writeFloatLE(values[i]!, i * 4);
  return out;
}

// Copies a tensor's wire bytes into `target` at `offset`.
export function writeTensor(values: Float32Array, dtype: WireDtype, target: Buffer, offset: number): void {
  if (dtype === 'fp32' && IS_LITTLE_ENDIAN) copyBytes(values, target, offset);
  else if (dtype === 'fp16') copyBytes(float32ToFloat16(values), target, offset);
  else for (let i = 0; i < values.length; i++) target.writeFloatLE(values[i]!, offset + i * 4);
}

// A tensor's values as fp32: a view of fp32 bytes where possible, or converted from fp16.
export function readTensor(payload: Buffer, offset: number, count: number, dtype: WireDtype): Float32Array {
  return dtype === 'fp32' ? readFloat32(payload, offset, count) : float16ToFloat32(readUint16(payload, offset, count));
}

// The dtype of a dtype code byte; throws bad-dtype for an unknown code.
export function readDtype(type: FrameType, code: number): WireDtype {
  const dtype = dtypeFromCode(code);
  if (dtype === undefined) throw new ProtocolError('bad-dtype', `${type} dtype code ${code} is not fp32 (1) or fp16 (2)`);
  return dtype;
}

// Throws too-large when a string length read from the wire is over maxStringBytes.
export function checkStringLength(type: FrameType, length: number, limits: FrameLimits): void {
  if (length > limits.maxStringBytes) throw new ProtocolError('too-large', `${type} string of ${length} bytes exceeds ${limits.maxStringBytes}`);
}

// A UTF-8 string field, refused when over maxStringBytes.
export function readString(type: FrameType, payload: Buffer, offset: number, length: number, limits: FrameLimits): string {
  checkStringLength(type, length, limits);
  return payload.toString('utf8', offset, offset + length);
}

// At most maxBytes of UTF-8, cut at a character boundary (for names and messages we send).
export function truncateUtf8(text: string, maxBytes: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= maxBytes ? bytes : Buffer.from(bytes.subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, ''), 'utf8');
}
