// The codec of the control frames: the handshake (HELLO, CHALLENGE, AUTH, WELCOME), PING/PONG,
// STATS-REQUEST/STATS, ERROR and BYE. Each encoder sits beside its decoder, field for field, with the
// payload layout drawn above the pair; decoders check lengths and counts against FrameLimits before
// allocating. Pure leaf: no sockets, timers or logging. Dispatched by frame.ts; docs/protocol.md is
// the spec.
import { HEADER_BYTES, WIRE_ERROR_CODES, wireErrorFromCode, type FrameLimits } from './frame-header.js';
import { ProtocolError } from './errors.js';
import { decodeAgentRuntimeInfo, decodeAgentTelemetry, encodeAgentJson } from './agent-info.js';
import { allocateFrame, checkRange, checkStringLength, expectAtLeast, expectLength, readString, truncateUtf8 } from './frame-fields.js';
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
// The payload length a HELLO's 34-byte fixed part implies (the name within maxStringBytes).
export function helloPayloadBytes(fixed: Buffer, limits: FrameLimits): number {
  const nameLength = fixed.readUInt16LE(32);
  checkStringLength('hello', nameLength, limits);
  return 34 + nameLength;
}
export function decodeHello(requestId: number, payload: Buffer, limits: FrameLimits): HelloFrame {
  expectAtLeast('hello', payload, 34);
  expectLength('hello', payload, helloPayloadBytes(payload, limits));
  const nameLength = payload.readUInt16LE(32);
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

export const WELCOME_FIXED_BYTES = 28;

// WELCOME (agent → BS):
// | maxPayloadBytes u32 | maxRows u32 | maxHidden u32 | maxK u32 | expertCount u32 | nameLength u16 | reserved u16 = 0 |
// | infoLength u32 | expertCount × (layer u16, expert u16) | device utf8[nameLength] | info utf8 JSON[infoLength] |
export function encodeWelcome(frame: Omit<WelcomeFrame, 'type'>): Buffer {
  const name = truncateUtf8(frame.device, 1024);
  const info = encodeAgentJson(frame.info);
  const buffer = allocateFrame('welcome', frame.requestId, WELCOME_FIXED_BYTES + 4 * frame.experts.length + name.length + info.length);
  let at = HEADER_BYTES;
  for (const value of [frame.limits.maxPayloadBytes, frame.limits.maxRows, frame.limits.maxHidden, frame.limits.maxK, frame.experts.length]) {
    buffer.writeUInt32LE(value, at);
    at += 4;
  }
  buffer.writeUInt16LE(name.length, at);
  buffer.writeUInt16LE(0, at + 2);
  buffer.writeUInt32LE(info.length, at + 4);
  at += 8;
  for (const { layer, expert } of frame.experts) {
    buffer.writeUInt16LE(layer, at);
    buffer.writeUInt16LE(expert, at + 2);
    at += 4;
  }
  name.copy(buffer, at);
  info.copy(buffer, at + name.length);
  return buffer;
}
// The payload length a WELCOME's 28-byte fixed part implies (expert count, name and info within limits).
export function welcomePayloadBytes(fixed: Buffer, limits: FrameLimits): number {
  const expertCount = fixed.readUInt32LE(16);
  checkRange('welcome', 'expertCount', expertCount, 0, limits.maxExperts);
  const nameLength = fixed.readUInt16LE(20);
  checkStringLength('welcome', nameLength, limits);
  const infoLength = fixed.readUInt32LE(24);
  checkInfoLength('welcome', infoLength, limits);
  return WELCOME_FIXED_BYTES + 4 * expertCount + nameLength + infoLength;
}
export function decodeWelcome(requestId: number, payload: Buffer, limits: FrameLimits): WelcomeFrame {
  expectAtLeast('welcome', payload, WELCOME_FIXED_BYTES);
  expectLength('welcome', payload, welcomePayloadBytes(payload, limits));
  const expertCount = payload.readUInt32LE(16);
  const nameLength = payload.readUInt16LE(20);
  const nameAt = WELCOME_FIXED_BYTES + 4 * expertCount;
  const experts: WelcomeFrame['experts'] = [];
  for (let i = 0, at = WELCOME_FIXED_BYTES; i < expertCount; i++, at += 4) experts.push({ layer: payload.readUInt16LE(at), expert: payload.readUInt16LE(at + 2) });
  return {
    type: 'welcome', requestId, experts,
    device: readString('welcome', payload, nameAt, nameLength, limits),
    limits: { maxPayloadBytes: payload.readUInt32LE(0), maxRows: payload.readUInt32LE(4), maxHidden: payload.readUInt32LE(8), maxK: payload.readUInt32LE(12) },
    info: decodeAgentRuntimeInfo(payload.subarray(nameAt + nameLength)),
  };
}

// Throws too-large when a JSON document's length exceeds maxInfoBytes (checked before reading it).
function checkInfoLength(type: 'welcome' | 'stats', infoLength: number, limits: FrameLimits): void {
  if (infoLength > limits.maxInfoBytes) throw new ProtocolError('too-large', `${type} info is ${infoLength} bytes, limit ${limits.maxInfoBytes}`);
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
// The payload length an ERROR's 4-byte fixed part implies (the message within maxStringBytes).
export function errorPayloadBytes(fixed: Buffer, limits: FrameLimits): number {
  const messageLength = fixed.readUInt16LE(2);
  checkStringLength('error', messageLength, limits);
  return 4 + messageLength;
}
export function decodeError(requestId: number, payload: Buffer, limits: FrameLimits): ErrorFrame {
  expectAtLeast('error', payload, 4);
  expectLength('error', payload, errorPayloadBytes(payload, limits));
  const messageLength = payload.readUInt16LE(2);
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

// STATS (agent → BS), 8 × u64 counters since the agent started, then the telemetry JSON:
// | connections | runRequests | runServed | runErrors | deadlineMisses | computeMicrosTotal | bytesReceived | bytesSent |
// | telemetryLength u32 | telemetry utf8 JSON[telemetryLength] |
const STATS_FIELDS = ['connections', 'runRequests', 'runServed', 'runErrors', 'deadlineMisses', 'computeMicrosTotal', 'bytesReceived', 'bytesSent'] as const;
export const STATS_FIXED_BYTES = 8 * STATS_FIELDS.length + 4;
export function encodeStats(frame: Omit<StatsFrame, 'type'>): Buffer {
  const telemetry = encodeAgentJson(frame.telemetry);
  const buffer = allocateFrame('stats', frame.requestId, STATS_FIXED_BYTES + telemetry.length);
  STATS_FIELDS.forEach((field, i) => buffer.writeBigUInt64LE(BigInt(Math.max(0, Math.round(frame.stats[field]))), HEADER_BYTES + 8 * i));
  buffer.writeUInt32LE(telemetry.length, HEADER_BYTES + 8 * STATS_FIELDS.length);
  telemetry.copy(buffer, HEADER_BYTES + STATS_FIXED_BYTES);
  return buffer;
}
// The payload length a STATS's 68-byte fixed part implies (the telemetry within maxInfoBytes).
export function statsPayloadBytes(fixed: Buffer, limits: FrameLimits): number {
  const telemetryLength = fixed.readUInt32LE(8 * STATS_FIELDS.length);
  checkInfoLength('stats', telemetryLength, limits);
  return STATS_FIXED_BYTES + telemetryLength;
}
export function decodeStats(requestId: number, payload: Buffer, limits: FrameLimits): StatsFrame {
  expectAtLeast('stats', payload, STATS_FIXED_BYTES);
  expectLength('stats', payload, statsPayloadBytes(payload, limits));
  const stats = Object.fromEntries(STATS_FIELDS.map((field, i) => [field, Number(payload.readBigUInt64LE(8 * i))])) as unknown as AgentStats;
  return { type: 'stats', requestId, stats, telemetry: decodeAgentTelemetry(payload.subarray(STATS_FIXED_BYTES)) };
}
