// The fixed 16-byte frame header of wire protocol v2, frame type codes, wire error codes and the
// limits every decoder checks before allocating. Pure leaf: no sockets, timers or logging.
// docs/protocol.md is the spec; test/transport/frame.test.ts parses its tables and compares them
// with the constants below, so change both together.
import { ProtocolError } from './errors.js';

//  Header, little-endian, 16 bytes:
//  | 0      4        6      7       8           12              16
//  | magic  | version | type | flags | requestId | payloadLength | payload …
//  | "WDMO" | u16 = 2 | u8   | u8=0  | u32       | u32           |
export const MAGIC = Buffer.from('WDMO', 'latin1');
export const PROTOCOL_VERSION = 2;
export const HEADER_BYTES = 16;

// Header fields as (offset, size, name): what docs/protocol.md's header table must say.
export const HEADER_FIELDS: ReadonlyArray<{ offset: number; size: number; name: string }> = [
  { offset: 0, size: 4, name: 'magic' },
  { offset: 4, size: 2, name: 'version' },
  { offset: 6, size: 1, name: 'type' },
  { offset: 7, size: 1, name: 'flags' },
  { offset: 8, size: 4, name: 'requestId' },
  { offset: 12, size: 4, name: 'payloadLength' },
];

// Frame type codes (docs/protocol.md "Frame types").
export const FRAME_TYPES = {
  hello: 0x01,
  challenge: 0x02,
  auth: 0x03,
  welcome: 0x04,
  run: 0x10,
  result: 0x11,
  ping: 0x20,
  pong: 0x21,
  'stats-request': 0x22,
  stats: 0x23,
  error: 0x7e,
  bye: 0x7f,
} as const;
export type FrameType = keyof typeof FRAME_TYPES;

const TYPE_BY_CODE = new Map<number, FrameType>(Object.entries(FRAME_TYPES).map(([name, code]) => [code, name as FrameType]));

// Wire error codes carried by ERROR frames (docs/protocol.md "Error codes").
export const WIRE_ERROR_CODES = {
  'bad-magic': 1,
  'bad-version': 2,
  'bad-type': 3,
  'bad-flags': 4,
  'bad-length': 5,
  'too-large': 6,
  'bad-dtype': 7,
  'bad-shape': 8,
  truncated: 9,
  'unexpected-frame': 10,
  'bad-info': 11,
  'auth-failed': 20,
  deadline: 30,
  'compute-failed': 31,
  'unknown-expert': 32,
  'shutting-down': 40,
  busy: 41,
  timeout: 42,
  unknown: 0xffff,
} as const;
export type WireErrorCode = keyof typeof WIRE_ERROR_CODES;

const ERROR_BY_CODE = new Map<number, WireErrorCode>(
  Object.entries(WIRE_ERROR_CODES).map(([name, code]) => [code, name as WireErrorCode]),
);

// The wire error name for a number; codes this version does not know read as 'unknown'.
export function wireErrorFromCode(code: number): WireErrorCode {
  return ERROR_BY_CODE.get(code) ?? 'unknown';
}

// What a decoder accepts; every length, count and shape is checked against these before allocating.
export interface FrameLimits {
  maxPayloadBytes: number;
  maxRows: number;
  maxHidden: number;
  maxK: number;
  maxExperts: number; // experts listed in a WELCOME
  maxStringBytes: number; // names and ERROR messages
  maxInfoBytes: number; // the JSON runtime info / telemetry in WELCOME and STATS
}

export const DEFAULT_FRAME_LIMITS: Readonly<FrameLimits> = Object.freeze({
  maxPayloadBytes: 64 * 1024 * 1024,
  maxRows: 65_536,
  maxHidden: 65_536,
  maxK: 64,
  maxExperts: 65_535,
  maxStringBytes: 4096,
  maxInfoBytes: 65_536,
});

// Fills in defaults and rejects limits the wire cannot express.
export function resolveFrameLimits(partial: Partial<FrameLimits> = {}): FrameLimits {
  const limits = { ...DEFAULT_FRAME_LIMITS, ...partial };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1 || value > 0xffff_ffff) {
      throw new RangeError(`frame limit ${name} must be an integer in 1..2^32-1, got ${value}`);
    }
  }
  return limits;
}

export interface FrameHeader {
  type: FrameType;
  flags: number;
  requestId: number;
  payloadLength: number;
}

// Writes a header at `buffer[at..at+16)`.
export function encodeHeader(buffer: Buffer, type: FrameType, requestId: number, payloadLength: number, at = 0): void {
  buffer[at] = MAGIC[0]!;
  buffer[at + 1] = MAGIC[1]!;
  buffer[at + 2] = MAGIC[2]!;
  buffer[at + 3] = MAGIC[3]!;
  buffer.writeUInt16LE(PROTOCOL_VERSION, at + 4);
  buffer[at + 6] = FRAME_TYPES[type];
  buffer[at + 7] = 0;
  buffer.writeUInt32LE(requestId >>> 0, at + 8);
  buffer.writeUInt32LE(payloadLength, at + 12);
}

// Reads and checks a header at `buffer[offset..offset+16)` (caller guarantees 16 bytes).
export function decodeHeader(buffer: Buffer, offset: number, limits: FrameLimits): FrameHeader {
  if (
    buffer[offset] !== MAGIC[0] ||
    buffer[offset + 1] !== MAGIC[1] ||
    buffer[offset + 2] !== MAGIC[2] ||
    buffer[offset + 3] !== MAGIC[3]
  ) {
    throw new ProtocolError('bad-magic', `expected "WDMO", got 0x${buffer.subarray(offset, offset + 4).toString('hex')}`);
  }
  const version = buffer.readUInt16LE(offset + 4);
  if (version !== PROTOCOL_VERSION) {
    throw new ProtocolError('bad-version', `peer speaks protocol version ${version}, this side speaks ${PROTOCOL_VERSION}`);
  }
  const code = buffer.readUInt8(offset + 6);
  const type = TYPE_BY_CODE.get(code);
  if (type === undefined) throw new ProtocolError('bad-type', `unknown frame type 0x${code.toString(16).padStart(2, '0')}`);
  const flags = buffer.readUInt8(offset + 7);
  if (flags !== 0) throw new ProtocolError('bad-flags', `flags must be 0 in version 2, got 0x${flags.toString(16)}`);
  const requestId = buffer.readUInt32LE(offset + 8);
  const payloadLength = buffer.readUInt32LE(offset + 12);
  if (payloadLength > limits.maxPayloadBytes) {
    throw new ProtocolError('too-large', `${type} payload of ${payloadLength} bytes exceeds the limit of ${limits.maxPayloadBytes}`);
  }
  return { type, flags, requestId, payloadLength };
}
