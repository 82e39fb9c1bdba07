// The codec of the hot-path frames, RUN (BS → agent) and RESULT (agent → BS): each encoder beside its
// decoder, field for field, with the payload layout drawn above each pair. Besides the one-buffer
// encoders, *Parts (tensor as a view, for writev) and *Into (one copy into a scratch buffer) write
// the same bytes for frame-writer.ts. Decoders check every count against FrameLimits before reading.
// Pure leaf: no sockets, timers or logging. Dispatched by frame.ts; docs/protocol.md is the spec.
import { ProtocolError } from './errors.js';
import { DTYPE_BYTES, DTYPE_CODES, type WireDtype } from './dtype.js';
import { HEADER_BYTES, encodeHeader, type FrameLimits } from './frame-header.js';
import {
  checkRange, copyBytes, expectAtLeast, expectLength, readDtype, readFloat32, readTensor, readUint16, tensorBytes, writeTensor,
} from './frame-fields.js';
import type { ResultFrame, RunFrame } from './frame-types.js';

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
// The payload length a RUN's 20-byte fixed part implies, after checking its dtype and shape against
// the limits: what frame-reader.ts checks the header's payloadLength against before allocating.
export function runPayloadBytes(fixed: Buffer, limits: FrameLimits): number {
  const dtype = readDtype('run', fixed.readUInt8(2));
  const rows = fixed.readUInt32LE(4);
  const hidden = fixed.readUInt32LE(8);
  const k = fixed.readUInt16LE(12);
  checkRange('run', 'rows', rows, 1, limits.maxRows);
  checkRange('run', 'hidden', hidden, 1, limits.maxHidden);
  checkRange('run', 'k', k, 1, limits.maxK);
  return 20 + runTensorBytes(rows, hidden, k, dtype).total;
}
export function decodeRun(requestId: number, payload: Buffer, limits: FrameLimits): RunFrame {
  expectAtLeast('run', payload, 20);
  expectLength('run', payload, runPayloadBytes(payload, limits));
  const layer = payload.readUInt16LE(0);
  const dtype = readDtype('run', payload.readUInt8(2));
  const rows = payload.readUInt32LE(4);
  const hidden = payload.readUInt32LE(8);
  const k = payload.readUInt16LE(12);
  const { statesBytes, pad } = runTensorBytes(rows, hidden, k, dtype);
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
// The payload length a RESULT's 16-byte fixed part implies, after checking dtype and shape.
export function resultPayloadBytes(fixed: Buffer, limits: FrameLimits): number {
  const rows = fixed.readUInt32LE(0);
  const hidden = fixed.readUInt32LE(4);
  const dtype = readDtype('result', fixed.readUInt8(12));
  checkRange('result', 'rows', rows, 1, limits.maxRows);
  checkRange('result', 'hidden', hidden, 1, limits.maxHidden);
  return 16 + rows * hidden * DTYPE_BYTES[dtype];
}
export function decodeResult(requestId: number, payload: Buffer, limits: FrameLimits): ResultFrame {
  expectAtLeast('result', payload, 16);
  expectLength('result', payload, resultPayloadBytes(payload, limits));
  const rows = payload.readUInt32LE(0);
  const hidden = payload.readUInt32LE(4);
  const dtype = readDtype('result', payload.readUInt8(12));
  return { type: 'result', requestId, dtype, rows, hidden, computeMicros: payload.readUInt32LE(8), output: readTensor(payload, 16, rows * hidden, dtype) };
}
