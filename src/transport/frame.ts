// The frame codec's front door: encodeFrame/decodeFrame dispatch on the frame type to the per-frame
// encoders and decoders in frame-control.ts (handshake, ping, stats, error, bye) and frame-run.ts
// (RUN/RESULT), and this module re-exports the codec surface so callers keep one import. Pure leaf:
// no sockets, timers or logging. Called by frame-reader.ts, frame-writer.ts, client*.ts and
// agent/ (through index.ts). docs/protocol.md is the spec.
import type { FrameHeader, FrameLimits, FrameType } from './frame-header.js';
import {
  decodeAuth, decodeChallenge, decodeEmpty, decodeError, decodeHello, decodeStats, decodeWelcome,
  encodeAuth, encodeChallenge, encodeEmpty, encodeError, encodeHello, encodeStats, encodeWelcome,
  errorPayloadBytes, helloPayloadBytes, statsPayloadBytes, welcomePayloadBytes, STATS_FIXED_BYTES, WELCOME_FIXED_BYTES,
} from './frame-control.js';
import { expectAtLeast, expectLength } from './frame-fields.js';
import { decodeResult, decodeRun, encodeResult, encodeRun, resultPayloadBytes, runPayloadBytes } from './frame-run.js';
import type { Frame } from './frame-types.js';

export {
  NONCE_BYTES, PROOF_BYTES, NO_EXPERT,
  type HelloFrame, type ChallengeFrame, type AuthFrame, type WelcomeFrame, type RunFrame, type ResultFrame,
  type ErrorFrame, type EmptyFrame, type AgentStats, type StatsFrame, type Frame,
} from './frame-types.js';
export { encodeHello, encodeChallenge, encodeAuth, encodeWelcome, encodeError, encodeEmpty, encodeStats } from './frame-control.js';
export {
  runFrameBytes, encodeRun, encodeRunParts, encodeRunInto, resultFrameBytes, encodeResult, encodeResultParts, encodeResultInto,
} from './frame-run.js';

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
    case 'stats': return decodeStats(requestId, payload, limits);
    default: return decodeEmpty(type, requestId, payload);
  }
}

// Bytes of each frame type's fixed part (docs/protocol.md): all of the payload for the fixed-size
// types, the part that holds the lengths for hello, welcome, run, result, stats and error.
export const FIXED_PART_BYTES: Readonly<Record<FrameType, number>> = Object.freeze({
  hello: 34, challenge: 64, auth: 32, welcome: WELCOME_FIXED_BYTES, run: 20, result: 16,
  ping: 0, pong: 0, 'stats-request': 0, stats: STATS_FIXED_BYTES, error: 4, bye: 0,
});
const IMPLIED_BY_FIXED_PART: Partial<Record<FrameType, (fixed: Buffer, limits: FrameLimits) => number>> = {
  hello: helloPayloadBytes, welcome: welcomePayloadBytes, run: runPayloadBytes, result: resultPayloadBytes, error: errorPayloadBytes,
  stats: statsPayloadBytes,
};

// Checks a header's payloadLength against what its type allows, before any payload byte is read
// (truncated / bad-length, as the decoder would say); returns the length of the fixed part to read next.
export function checkPayloadLength(header: FrameHeader): number {
  const fixed = FIXED_PART_BYTES[header.type];
  const length = { length: header.payloadLength };
  if (IMPLIED_BY_FIXED_PART[header.type] === undefined) expectLength(header.type, length, fixed);
  else expectAtLeast(header.type, length, fixed);
  return fixed;
}

// Checks that a frame's fixed part (dtype, shape, counts, string lengths within the limits) implies
// exactly the header's payloadLength, so that a receiver allocates the rest only for a frame that can decode.
export function checkFixedPart(header: FrameHeader, fixed: Buffer, limits: FrameLimits): void {
  const implied = IMPLIED_BY_FIXED_PART[header.type];
  if (implied !== undefined) expectLength(header.type, { length: header.payloadLength }, implied(fixed, limits));
}
