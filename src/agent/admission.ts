// What an agent connection agrees to read, decided on a frame's header and fixed part before its
// payload is allocated (FrameReader's inspect hook): before the handshake completes only HELLO, then
// AUTH (so an unauthenticated peer can make the agent hold at most 34 + maxStringBytes bytes); after it,
// only RUN, PING, STATS-REQUEST and BYE, and a RUN only of the hidden width of this device's experts.
// Pure: called by connection.ts; imports transport only.
import { ProtocolError, type FrameHeader, type FrameType } from '../transport/index.js';

export type ConnectionState = 'hello' | 'auth' | 'ready' | 'closing';

const READS: Readonly<Record<ConnectionState, ReadonlySet<FrameType>>> = {
  hello: new Set(['hello']),
  auth: new Set(['auth']),
  ready: new Set(['run', 'ping', 'stats-request', 'bye']),
  closing: new Set(['bye']),
};

// Throws ProtocolError (unexpected-frame with the frame's id, or bad-shape) for a frame this connection must refuse.
export function admitFrame(state: ConnectionState, header: FrameHeader, fixed: Buffer, device: string, hiddenSize: number | undefined): void {
  if (!READS[state].has(header.type)) {
    const when = state === 'ready' ? 'from a BS' : state === 'closing' ? 'after BYE' : `before the handshake completes (waiting for ${state})`;
    throw new ProtocolError('unexpected-frame', `${header.type} is not expected ${when}`, header.requestId);
  }
  if (header.type === 'run' && hiddenSize !== undefined) {
    const hidden = fixed.readUInt32LE(8);
    if (hidden !== hiddenSize) throw new ProtocolError('bad-shape', `run hidden ${hidden} does not match the experts of device ${device} (hidden ${hiddenSize})`);
  }
}
