// The frames of wire protocol v1 as typed values, and their codec: one encoder beside one decoder,
// field for field, with the payload layout drawn above each pair. Pure leaf: no sockets, timers or
// logging. Decoders check every count and shape against FrameLimits before allocating and throw
// ProtocolError. Called by frame-reader.ts, client.ts and agent/server.ts. docs/protocol.md is the spec.
import { ProtocolError } from './errors.js';
import { DTYPE_BYTES, DTYPE_CODES, dtypeFromCode, float16ToFloat32, float32ToFloat16, type WireDtype } from './dtype.js';
import {
  FRAME_TYPES,
  HEADER_BYTES,
  WIRE_ERROR_CODES,
  encodeHeader,
  wireErrorFromCode,
  type FrameHeader,
  type FrameLimits,
  type FrameType,
  type WireErrorCode,
} from './frame-header.js';

export const NONCE_BYTES = 32;
export const PROOF_BYTES = 32;
export const NO_EXPERT = 0xffff;

export interface HelloFrame { type: 'hello'; requestId: number; nonce: Buffer; clientName: string }
export interface ChallengeFrame { type: 'challenge'; requestId: number; nonce: Buffer; proof: Buffer }
export interface AuthFrame { type: 'auth'; requestId: number; proof: Buffer }
export interface WelcomeFrame {
  type: 'welcome'; requestId: number; device: string;
  experts: Array<{ layer: number; expert: number }>;
  limits: Pick<FrameLimits, 'maxPayloadBytes' | 'maxRows' | 'maxHidden' | 'maxK'>;
}
export interface RunFrame {
  type: 'run'; requestId: number; layer: number; dtype: WireDtype; rows: number; hidden: number; k: number;
  deadlineMs: number; states: Float32Array; weights: Float32Array; experts: Uint16Array;
}
export interface ResultFrame {
  type: 'result'; requestId: number; dtype: WireDtype; rows: number; hidden: number; computeMicros: number; output: Float32Array;
}
export interface ErrorFrame { type: 'error'; requestId: number; code: WireErrorCode; message: string }
export interface EmptyFrame { type: 'ping' | 'pong' | 'stats-request' | 'bye'; requestId: number }
export interface AgentStats {
  connections: number; runRequests: number; runServed: number; runErrors: number;
  deadlineMisses: number; computeMicrosTotal: number; bytesReceived: number; bytesSent: number;
}
export interface StatsFrame { type: 'stats'; requestId: number; stats: AgentStats }

export type Frame = HelloFrame | ChallengeFrame | AuthFrame | WelcomeFrame | RunFrame | ResultFrame | ErrorFrame | EmptyFrame | StatsFrame;

const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// A frame buffer with the header written; the payload is filled by the caller.
function allocateFrame(type: FrameType, requestId: number, payloadLength: number): Buffer {
  const buffer = Buffer.allocUnsafe(HEADER_BYTES + payloadLength);
  encodeHeader(buffer, type, requestId, payloadLength);
  return buffer;
}

function expectLength(type: FrameType, payload: Buffer, expected: number): void {
  if (payload.length !== expected) {
    throw new ProtocolError('bad-length', `${type} payload is ${payload.length} bytes, its fields say ${expected}`);
  }
}

function expectAtLeast(type: FrameType, payload: Buffer, minimum: number): void {
  if (payload.length < minimum) throw new ProtocolError('truncated', `${type} payload is ${payload.length} bytes, needs at least ${minimum}`);
}

function checkRange(type: FrameType, field: string, value: number, min: number, max: number): void {
  if (value < min || value > max) throw new ProtocolError('bad-shape', `${type} ${field} ${value} is outside ${min}..${max}`);
}

// Copies a typed array's bytes into `target` at `offset` (byte copy: no alignment needed).
function copyBytes(source: ArrayBufferView, target: Buffer, offset: number): void {
  target.set(new Uint8Array(source.buffer, source.byteOffset, source.byteLength), offset);
}

// A Float32Array over payload bytes: a view when aligned (zero-copy), else a copy.
function readFloat32(payload: Buffer, offset: number, count: number): Float32Array {
  const at = payload.byteOffset + offset;
  if (IS_LITTLE_ENDIAN && at % 4 === 0) return new Float32Array(payload.buffer, at, count);
  const out = new Float32Array(count);
  if (IS_LITTLE_ENDIAN) new Uint8Array(out.buffer).set(payload.subarray(offset, offset + count * 4));
  else for (let i = 0; i < count; i++) out[i] = payload.readFloatLE(offset + i * 4);
  return out;
}

function readUint16(payload: Buffer, offset: number, count: number): Uint16Array {
  const at = payload.byteOffset + offset;
  if (IS_LITTLE_ENDIAN && at % 2 === 0) return new Uint16Array(payload.buffer, at, count);
  const out = new Uint16Array(count);
  for (let i = 0; i < count; i++) out[i] = payload.readUInt16LE(offset + i * 2);
  return out;
}

// The wire bytes of a tensor: a view of the caller's fp32 memory (no copy), or fresh fp16 bits.
function tensorBytes(values: Float32Array, dtype: WireDtype, byteLength: number): Buffer {
  if (dtype === 'fp32' && IS_LITTLE_ENDIAN) return Buffer.from(values.buffer, values.byteOffset, byteLength);
  const out = Buffer.allocUnsafe(byteLength);
  if (dtype === 'fp16') copyBytes(float32ToFloat16(values), out, 0);
  else for (let i = 0; i < values.length; i++) out.writeFloatLE(values[i]!, i * 4);
  return out;
}

// Copies a tensor's wire bytes into `target` at `offset`.
function writeTensor(values: Float32Array, dtype: WireDtype, target: Buffer, offset: number): void {
  if (dtype === 'fp32' && IS_LITTLE_ENDIAN) copyBytes(values, target, offset);
  else if (dtype === 'fp16') copyBytes(float32ToFloat16(values), target, offset);
  else for (let i = 0; i < values.length; i++) target.writeFloatLE(values[i]!, offset + i * 4);
}

function readTensor(payload: Buffer, offset: number, count: number, dtype: WireDtype): Float32Array {
  return dtype === 'fp32' ? readFloat32(payload, offset, count) : float16ToFloat32(readUint16(payload, offset, count));
}

function readDtype(type: FrameType, code: number): WireDtype {
  const dtype = dtypeFromCode(code);
  if (dtype === undefined) throw new ProtocolError('bad-dtype', `${type} dtype code ${code} is not fp32 (1) or fp16 (2)`);
  return dtype;
}

function readString(type: FrameType, payload: Buffer, offset: number, length: number, limits: FrameLimits): string {
  if (length > limits.maxStringBytes) throw new ProtocolError('too-large', `${type} string of ${length} bytes exceeds ${limits.maxStringBytes}`);
  return payload.toString('utf8', offset, offset + length);
}

function truncateUtf8(text: string, maxBytes: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= maxBytes ? bytes : Buffer.from(bytes.subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, ''), 'utf8');
}

// HELLO (BS → agent): | nonce u8[32] | nameLength u16 | clientName utf8[nameLength] |
export function encodeHello(frame: Omit<HelloFrame, 'type'>): Buffer {
  const name = truncateUtf8(frame.clientName, 1024);
  const buffer = allocateFrame('hello', frame.requestId, NONCE_BYTES + 2 + name.length);
  frame.nonce.copy(buffer, HEADER_BYTES, 0, NONCE_BYTES);
  buffer.writeUInt16LE(name.length, HEADER_BYTES + 32);
  name.copy(buffer, HEADER_BYTES + 34);
  return buffer;
}
function decodeHello(requestId: number, payload: Buffer, limits: FrameLimits): HelloFrame {
  expectAtLeast('hello', payload, 34);
  const nameLength = payload.readUInt16LE(32);
  expectLength('hello', payload, 34 + nameLength);
  return { type: 'hello', requestId, nonce: Buffer.from(payload.subarray(0, 32)), clientName: readString('hello', payload, 34, nameLength, limits) };
}

// CHALLENGE (agent → BS): | nonce u8[32] | proof u8[32] = HMAC(token, "wdmoe/1 agent" ‖ bsNonce ‖ agentNonce) |
export function encodeChallenge(frame: Omit<ChallengeFrame, 'type'>): Buffer {
  const buffer = allocateFrame('challenge', frame.requestId, NONCE_BYTES + PROOF_BYTES);
  frame.nonce.copy(buffer, HEADER_BYTES, 0, NONCE_BYTES);
  frame.proof.copy(buffer, HEADER_BYTES + 32, 0, PROOF_BYTES);
  return buffer;
}
function decodeChallenge(requestId: number, payload: Buffer): ChallengeFrame {
  expectLength('challenge', payload, 64);
  return { type: 'challenge', requestId, nonce: Buffer.from(payload.subarray(0, 32)), proof: Buffer.from(payload.subarray(32, 64)) };
}

// AUTH (BS → agent): | proof u8[32] = HMAC(token, "wdmoe/1 bs" ‖ bsNonce ‖ agentNonce) |
export function encodeAuth(frame: Omit<AuthFrame, 'type'>): Buffer {
  const buffer = allocateFrame('auth', frame.requestId, PROOF_BYTES);
  frame.proof.copy(buffer, HEADER_BYTES, 0, PROOF_BYTES);
  return buffer;
}
function decodeAuth(requestId: number, payload: Buffer): AuthFrame {
  expectLength('auth', payload, 32);
  return { type: 'auth', requestId, proof: Buffer.from(payload) };
}

// WELCOME (agent → BS):
// | maxPayloadBytes u32 | maxRows u32 | maxHidden u32 | maxK u32 | expertCount u32 | nameLength u16 | reserved u16 = 0 |
// | expertCount × (layer u16, expert u16) | device utf8[nameLength] |
export function encodeWelcome(frame: Omit<WelcomeFrame, 'type'>): Buffer {
  const name = truncateUtf8(frame.device, 1024);
  const buffer = allocateFrame('welcome', frame.requestId, 24 + 4 * frame.experts.length + name.length);
  let at = HEADER_BYTES;
  for (const value of [frame.limits.maxPayloadBytes, frame.limits.maxRows, frame.limits.maxHidden, frame.limits.maxK, frame.experts.length]) {
    buffer.writeUInt32LE(value, at);
    at += 4;
  }
  buffer.writeUInt16LE(name.length, at);
  buffer.writeUInt16LE(0, at + 2);
  at += 4;
  for (const { layer, expert } of frame.experts) {
    buffer.writeUInt16LE(layer, at);
    buffer.writeUInt16LE(expert, at + 2);
    at += 4;
  }
  name.copy(buffer, at);
  return buffer;
}
function decodeWelcome(requestId: number, payload: Buffer, limits: FrameLimits): WelcomeFrame {
  expectAtLeast('welcome', payload, 24);
  const expertCount = payload.readUInt32LE(16);
  checkRange('welcome', 'expertCount', expertCount, 0, limits.maxExperts);
  const nameLength = payload.readUInt16LE(20);
  expectLength('welcome', payload, 24 + 4 * expertCount + nameLength);
  const experts: WelcomeFrame['experts'] = [];
  for (let i = 0, at = 24; i < expertCount; i++, at += 4) experts.push({ layer: payload.readUInt16LE(at), expert: payload.readUInt16LE(at + 2) });
  return {
    type: 'welcome', requestId, experts,
    device: readString('welcome', payload, 24 + 4 * expertCount, nameLength, limits),
    limits: { maxPayloadBytes: payload.readUInt32LE(0), maxRows: payload.readUInt32LE(4), maxHidden: payload.readUInt32LE(8), maxK: payload.readUInt32LE(12) },
  };
}

// The payload bytes of a RUN's tensors: states, pad to 4, weights, experts.
function runTensorBytes(rows: number, hidden: number, k: number, dtype: WireDtype): { statesBytes: number; pad: number; total: number } {
  const statesBytes = rows * hidden * DTYPE_BYTES[dtype];
  const pad = (4 - (statesBytes % 4)) % 4;
  return { statesBytes, pad, total: statesBytes + pad + 6 * rows * k };
}

// RUN (BS → agent), 20 fixed bytes then tensors:
// | layer u16 | dtype u8 | reserved u8 = 0 | rows u32 | hidden u32 | k u16 | reserved u16 = 0 | deadlineMs u32 |
// | states dtype[rows×hidden] | pad 0..3 zero bytes to a multiple of 4 | weights f32[rows×k] | experts u16[rows×k] |
// Two encoders of the same bytes: encodeRunParts (header + fixed part, the caller's states as a view,
// the tail) for large frames written with writev, encodeRunInto (one contiguous copy) for small ones.
function checkRunShape(frame: Omit<RunFrame, 'type'>): void {
  const { rows, hidden, k } = frame;
  if (frame.states.length !== rows * hidden || frame.weights.length !== rows * k || frame.experts.length !== rows * k) {
    throw new ProtocolError('bad-shape', `run arrays do not match rows ${rows} × hidden ${hidden} × k ${k}`);
  }
}
// Header + the 20-byte fixed part at buffer[at..at+36).
function writeRunHead(frame: Omit<RunFrame, 'type'>, payloadLength: number, buffer: Buffer, at: number): void {
  encodeHeader(buffer, 'run', frame.requestId, payloadLength, at);
  at += HEADER_BYTES;
  buffer.writeUInt16LE(frame.layer, at);
  buffer[at + 2] = DTYPE_CODES[frame.dtype];
  buffer[at + 3] = 0;
  buffer.writeUInt32LE(frame.rows, at + 4);
  buffer.writeUInt32LE(frame.hidden, at + 8);
  buffer.writeUInt16LE(frame.k, at + 12);
  buffer.writeUInt16LE(0, at + 14);
  buffer.writeUInt32LE(Math.max(0, Math.min(0xffff_ffff, Math.ceil(frame.deadlineMs))), at + 16);
}
// pad zero bytes, weights, experts at buffer[at..).
function writeRunTail(frame: Omit<RunFrame, 'type'>, pad: number, buffer: Buffer, at: number): void {
  for (let i = 0; i < pad; i++) buffer[at + i] = 0;
  copyBytes(frame.weights, buffer, at + pad);
  copyBytes(frame.experts, buffer, at + pad + 4 * frame.rows * frame.k);
}
// Bytes of a whole RUN frame, header included.
export function runFrameBytes(rows: number, hidden: number, k: number, dtype: WireDtype): number {
  return HEADER_BYTES + 20 + runTensorBytes(rows, hidden, k, dtype).total;
}
export function encodeRunParts(frame: Omit<RunFrame, 'type'>): Buffer[] {
  checkRunShape(frame);
  const { rows, hidden, k, dtype } = frame;
  const { statesBytes, pad, total } = runTensorBytes(rows, hidden, k, dtype);
  const head = Buffer.allocUnsafe(HEADER_BYTES + 20);
  writeRunHead(frame, 20 + total, head, 0);
  const tail = Buffer.allocUnsafe(pad + 6 * rows * k);
  writeRunTail(frame, pad, tail, 0);
  return [head, tensorBytes(frame.states, dtype, statesBytes), tail];
}
// Writes the whole frame at target[0..runFrameBytes) (target must be that large); returns its length.
export function encodeRunInto(frame: Omit<RunFrame, 'type'>, target: Buffer): number {
  checkRunShape(frame);
  const { rows, hidden, k, dtype } = frame;
  const { statesBytes, pad, total } = runTensorBytes(rows, hidden, k, dtype);
  writeRunHead(frame, 20 + total, target, 0);
  writeTensor(frame.states, dtype, target, HEADER_BYTES + 20);
  writeRunTail(frame, pad, target, HEADER_BYTES + 20 + statesBytes);
  return HEADER_BYTES + 20 + total;
}
export function encodeRun(frame: Omit<RunFrame, 'type'>): Buffer {
  const buffer = Buffer.allocUnsafe(runFrameBytes(frame.rows, frame.hidden, frame.k, frame.dtype));
  encodeRunInto(frame, buffer);
  return buffer;
}
function decodeRun(requestId: number, payload: Buffer, limits: FrameLimits): RunFrame {
  expectAtLeast('run', payload, 20);
  const layer = payload.readUInt16LE(0);
  const dtype = readDtype('run', payload.readUInt8(2));
  const rows = payload.readUInt32LE(4);
  const hidden = payload.readUInt32LE(8);
  const k = payload.readUInt16LE(12);
  checkRange('run', 'rows', rows, 1, limits.maxRows);
  checkRange('run', 'hidden', hidden, 1, limits.maxHidden);
  checkRange('run', 'k', k, 1, limits.maxK);
  const { statesBytes, pad, total } = runTensorBytes(rows, hidden, k, dtype);
  expectLength('run', payload, 20 + total);
  const weightsAt = 20 + statesBytes + pad;
  return {
    type: 'run', requestId, layer, dtype, rows, hidden, k, deadlineMs: payload.readUInt32LE(16),
    states: readTensor(payload, 20, rows * hidden, dtype),
    weights: readFloat32(payload, weightsAt, rows * k),
    experts: readUint16(payload, weightsAt + 4 * rows * k, rows * k),
  };
}

// RESULT (agent → BS), 16 fixed bytes then the output:
// | rows u32 | hidden u32 | computeMicros u32 | dtype u8 | reserved u8[3] = 0 | output dtype[rows×hidden] |
// As for RUN: encodeResultParts (output as a view, for writev) and encodeResultInto (one copy).
function checkResultShape(frame: Omit<ResultFrame, 'type'>): void {
  if (frame.output.length !== frame.rows * frame.hidden) {
    throw new ProtocolError('bad-shape', `result output has ${frame.output.length} values, expected ${frame.rows}×${frame.hidden}`);
  }
}
function writeResultHead(frame: Omit<ResultFrame, 'type'>, outputBytes: number, buffer: Buffer): void {
  encodeHeader(buffer, 'result', frame.requestId, 16 + outputBytes);
  buffer.writeUInt32LE(frame.rows, HEADER_BYTES);
  buffer.writeUInt32LE(frame.hidden, HEADER_BYTES + 4);
  buffer.writeUInt32LE(Math.max(0, Math.min(0xffff_ffff, Math.round(frame.computeMicros))), HEADER_BYTES + 8);
  buffer.writeUInt32LE(DTYPE_CODES[frame.dtype], HEADER_BYTES + 12); // dtype byte + 3 zero reserved bytes (LE)
}
// Bytes of a whole RESULT frame, header included.
export function resultFrameBytes(rows: number, hidden: number, dtype: WireDtype): number {
  return HEADER_BYTES + 16 + rows * hidden * DTYPE_BYTES[dtype];
}
export function encodeResultParts(frame: Omit<ResultFrame, 'type'>): Buffer[] {
  checkResultShape(frame);
  const outputBytes = frame.rows * frame.hidden * DTYPE_BYTES[frame.dtype];
  const head = Buffer.allocUnsafe(HEADER_BYTES + 16);
  writeResultHead(frame, outputBytes, head);
  return [head, tensorBytes(frame.output, frame.dtype, outputBytes)];
}
// Writes the whole frame at target[0..resultFrameBytes) (target must be that large); returns its length.
export function encodeResultInto(frame: Omit<ResultFrame, 'type'>, target: Buffer): number {
  checkResultShape(frame);
  const outputBytes = frame.rows * frame.hidden * DTYPE_BYTES[frame.dtype];
  writeResultHead(frame, outputBytes, target);
  writeTensor(frame.output, frame.dtype, target, HEADER_BYTES + 16);
  return HEADER_BYTES + 16 + outputBytes;
}
export function encodeResult(frame: Omit<ResultFrame, 'type'>): Buffer {
  const buffer = Buffer.allocUnsafe(resultFrameBytes(frame.rows, frame.hidden, frame.dtype));
  encodeResultInto(frame, buffer);
  return buffer;
}
function decodeResult(requestId: number, payload: Buffer, limits: FrameLimits): ResultFrame {
  expectAtLeast('result', payload, 16);
  const rows = payload.readUInt32LE(0);
  const hidden = payload.readUInt32LE(4);
  const dtype = readDtype('result', payload.readUInt8(12));
  checkRange('result', 'rows', rows, 1, limits.maxRows);
  checkRange('result', 'hidden', hidden, 1, limits.maxHidden);
  expectLength('result', payload, 16 + rows * hidden * DTYPE_BYTES[dtype]);
  return { type: 'result', requestId, dtype, rows, hidden, computeMicros: payload.readUInt32LE(8), output: readTensor(payload, 16, rows * hidden, dtype) };
}

// ERROR (either way): | code u16 | messageLength u16 | message utf8[messageLength] |  (layout frozen across versions)
export function encodeError(frame: Omit<ErrorFrame, 'type'>): Buffer {
  const message = truncateUtf8(frame.message, 1024);
  const buffer = allocateFrame('error', frame.requestId, 4 + message.length);
  buffer.writeUInt16LE(WIRE_ERROR_CODES[frame.code], HEADER_BYTES);
  buffer.writeUInt16LE(message.length, HEADER_BYTES + 2);
  message.copy(buffer, HEADER_BYTES + 4);
  return buffer;
}
function decodeError(requestId: number, payload: Buffer, limits: FrameLimits): ErrorFrame {
  expectAtLeast('error', payload, 4);
  const messageLength = payload.readUInt16LE(2);
  expectLength('error', payload, 4 + messageLength);
  return { type: 'error', requestId, code: wireErrorFromCode(payload.readUInt16LE(0)), message: readString('error', payload, 4, messageLength, limits) };
}

// PING, PONG, STATS-REQUEST, BYE: empty payload.
export function encodeEmpty(frame: EmptyFrame): Buffer {
  return allocateFrame(frame.type, frame.requestId, 0);
}
function decodeEmpty(type: EmptyFrame['type'], requestId: number, payload: Buffer): EmptyFrame {
  expectLength(type, payload, 0);
  return { type, requestId };
}

// STATS (agent → BS), 8 × u64 counters since the agent started:
// | connections | runRequests | runServed | runErrors | deadlineMisses | computeMicrosTotal | bytesReceived | bytesSent |
const STATS_FIELDS = ['connections', 'runRequests', 'runServed', 'runErrors', 'deadlineMisses', 'computeMicrosTotal', 'bytesReceived', 'bytesSent'] as const;
export function encodeStats(frame: Omit<StatsFrame, 'type'>): Buffer {
  const buffer = allocateFrame('stats', frame.requestId, 8 * STATS_FIELDS.length);
  STATS_FIELDS.forEach((field, i) => buffer.writeBigUInt64LE(BigInt(Math.max(0, Math.round(frame.stats[field]))), HEADER_BYTES + 8 * i));
  return buffer;
}
function decodeStats(requestId: number, payload: Buffer): StatsFrame {
  expectLength('stats', payload, 8 * STATS_FIELDS.length);
  const stats = Object.fromEntries(STATS_FIELDS.map((field, i) => [field, Number(payload.readBigUInt64LE(8 * i))])) as unknown as AgentStats;
  return { type: 'stats', requestId, stats };
}

// Encodes any frame to header + payload bytes (RUN/RESULT: see encodeRunParts/encodeResultParts,
// which the sockets use to write tensors without copying them).
export function encodeFrame(frame: Frame): Buffer {
  switch (frame.type) {
    case 'hello': return encodeHello(frame);
    case 'challenge': return encodeChallenge(frame);
    case 'auth': return encodeAuth(frame);
    case 'welcome': return encodeWelcome(frame);
    case 'run': return encodeRun(frame);
    case 'result': return encodeResult(frame);
    case 'error': return encodeError(frame);
    case 'stats': return encodeStats(frame);
    default: return encodeEmpty(frame);
  }
}

// Decodes a payload whose header was already checked by decodeHeader.
export function decodeFrame(header: FrameHeader, payload: Buffer, limits: FrameLimits): Frame {
  const { type, requestId } = header;
  switch (type) {
    case 'hello': return decodeHello(requestId, payload, limits);
    case 'challenge': return decodeChallenge(requestId, payload);
    case 'auth': return decodeAuth(requestId, payload);
    case 'welcome': return decodeWelcome(requestId, payload, limits);
    case 'run': return decodeRun(requestId, payload, limits);
    case 'result': return decodeResult(requestId, payload, limits);
    case 'error': return decodeError(requestId, payload, limits);
    case 'stats': return decodeStats(requestId, payload);
    default: return decodeEmpty(type, requestId, payload);
  }
}
