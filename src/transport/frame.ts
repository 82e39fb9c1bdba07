// The frame codec's front door: encodeFrame/decodeFrame dispatch on the frame type to the per-frame
// encoders and decoders in frame-control.ts (handshake, ping, stats, error, bye) and frame-run.ts
// (RUN/RESULT), and this module re-exports the codec surface so callers keep one import. Pure leaf:
// no sockets, timers or logging. Called by frame-reader.ts, frame-writer.ts, client*.ts and
// agent/ (through index.ts). docs/protocol.md is the spec.
import type { FrameHeader, FrameLimits } from './frame-header.js';
import {
  decodeAuth, decodeChallenge, decodeEmpty, decodeError, decodeHello, decodeStats, decodeWelcome,
  encodeAuth, encodeChallenge, encodeEmpty, encodeError, encodeHello, encodeStats, encodeWelcome,
} from './frame-control.js';
import { decodeResult, decodeRun, encodeResult, encodeRun } from './frame-run.js';
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
    case 'stats': return decodeStats(requestId, payload);
    default: return decodeEmpty(type, requestId, payload);
  }
}
