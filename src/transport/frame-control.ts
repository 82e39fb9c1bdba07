// The codec of the control frames: the handshake (HELLO, CHALLENGE, AUTH, WELCOME), PING/PONG,
// STATS-REQUEST/STATS, ERROR and BYE. Each encoder sits beside its decoder, field for field, with the
// payload layout drawn above the pair; decoders check lengths and counts against FrameLimits before
// allocating. Pure leaf: no sockets, timers or logging. Dispatched by frame.ts; docs/protocol.md is
// the spec.
import { HEADER_BYTES, WIRE_ERROR_CODES, wireErrorFromCode, type FrameLimits } from './frame-header.js';
import { allocateFrame, checkRange, expectAtLeast, expectLength, readString, truncateUtf8 } from './frame-fields.js';
import {
  NONCE_BYTES, PROOF_BYTES,
  type AgentStats, type AuthFrame, type ChallengeFrame, type EmptyFrame, type ErrorFrame, type HelloFrame, type StatsFrame, type WelcomeFrame,
} from './frame-types.js';

// HELLO (BS → agent): | nonce u8[32] | nameLength u16 | clientName utf8[nameLength] |
export function encodeHello(frame: Omit<HelloFrame, 'type'>): Buffer {
  const name = truncateUtf8(frame.clientName, 1024);
  const buffer = allocateFrame('hello', frame.requestId, NONCE_BYTES + 2 + name.length);
  frame.nonce.copy(buffer, HEADER_BYTES, 0, NONCE_BYTES);
  buffer.writeUInt16LE(name.length, HEADER_BYTES + 32);
  name.copy(buffer, HEADER_BYTES + 34);
  return buffer;
}
export function decodeHello(requestId: number, payload: Buffer, limits: FrameLimits): HelloFrame {
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
export function decodeChallenge(requestId: number, payload: Buffer): ChallengeFrame {
  expectLength('challenge', payload, 64);
  return { type: 'challenge', requestId, nonce: Buffer.from(payload.subarray(0, 32)), proof: Buffer.from(payload.subarray(32, 64)) };
}

// AUTH (BS → agent): | proof u8[32] = HMAC(token, "wdmoe/1 bs" ‖ bsNonce ‖ agentNonce) |
export function encodeAuth(frame: Omit<AuthFrame, 'type'>): Buffer {
  const buffer = allocateFrame('auth', frame.requestId, PROOF_BYTES);
  frame.proof.copy(buffer, HEADER_BYTES, 0, PROOF_BYTES);
  return buffer;
}
export function decodeAuth(requestId: number, payload: Buffer): AuthFrame {
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
export function decodeWelcome(requestId: number, payload: Buffer, limits: FrameLimits): WelcomeFrame {
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

// ERROR (either way): | code u16 | messageLength u16 | message utf8[messageLength] |  (layout frozen across versions)
export function encodeError(frame: Omit<ErrorFrame, 'type'>): Buffer {
  const message = truncateUtf8(frame.message, 1024);
  const buffer = allocateFrame('error', frame.requestId, 4 + message.length);
  buffer.writeUInt16LE(WIRE_ERROR_CODES[frame.code], HEADER_BYTES);
  buffer.writeUInt16LE(message.length, HEADER_BYTES + 2);
  message.copy(buffer, HEADER_BYTES + 4);
  return buffer;
}
export function decodeError(requestId: number, payload: Buffer, limits: FrameLimits): ErrorFrame {
  expectAtLeast('error', payload, 4);
  const messageLength = payload.readUInt16LE(2);
  expectLength('error', payload, 4 + messageLength);
  return { type: 'error', requestId, code: wireErrorFromCode(payload.readUInt16LE(0)), message: readString('error', payload, 4, messageLength, limits) };
}

// PING, PONG, STATS-REQUEST, BYE: empty payload.
export function encodeEmpty(frame: EmptyFrame): Buffer {
  return allocateFrame(frame.type, frame.requestId, 0);
}
export function decodeEmpty(type: EmptyFrame['type'], requestId: number, payload: Buffer): EmptyFrame {
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
export function decodeStats(requestId: number, payload: Buffer): StatsFrame {
  expectLength('stats', payload, 8 * STATS_FIELDS.length);
  const stats = Object.fromEntries(STATS_FIELDS.map((field, i) => [field, Number(payload.readBigUInt64LE(8 * i))])) as unknown as AgentStats;
  return { type: 'stats', requestId, stats };
}
