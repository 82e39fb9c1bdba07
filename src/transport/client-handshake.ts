// The BS side of the handshake (docs/protocol.md "Handshake"): wait for TCP, HELLO → CHALLENGE
// (verify the agent's proof) → AUTH → WELCOME, all raced against one deadline and the caller's
// signal. Failures become DeviceError (connect/handshake phase) naming the device. Called by client.ts.
import type { Socket } from 'node:net';
import { throwOnAbort } from '../core/index.js';
import { DeviceError, ProtocolError } from './errors.js';
import { PROTOCOL_VERSION } from './frame-header.js';
import { encodeAuth, encodeHello } from './frame-control.js';
import type { Frame } from './frame-types.js';
import type { FrameReader } from './frame-reader.js';
import { computeProof, createNonce, verifyProof } from './handshake.js';
import type { DeviceInfo, ExpertKey } from './types.js';

export interface HandshakeOptions {
  socket: Socket;
  reader: FrameReader;
  device: string;
  host: string;
  port: number;
  token: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

const REFUSALS: ReadonlySet<string> = new Set(['busy', 'timeout', 'shutting-down']);

// Resolves with the agent's WELCOME as DeviceInfo; leaves no listener on the socket.
export async function performHandshake(options: HandshakeOptions): Promise<DeviceInfo> {
  const { socket, reader, device, host, port } = options;
  const fail = (phase: 'connect' | 'handshake', failure: DeviceError['failure'], detail: string, cause?: unknown, agentCode?: string) =>
    new DeviceError({ device, phase, failure, detail, cause, agentCode });
  let isConnected = false;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(isConnected
    ? fail('handshake', 'timeout', `no handshake answer from ${host}:${port} within ${options.timeoutMs} ms (is a wdmoe agent listening there?)`)
    : fail('connect', 'timeout', `no TCP connection to ${host}:${port} within ${options.timeoutMs} ms`)), options.timeoutMs);
  const onAbort = () => controller.abort(fail(isConnected ? 'handshake' : 'connect', 'aborted', `connect to ${host}:${port} abandoned`, options.signal?.reason));
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  const inbox: Frame[] = [];
  let wake: (() => void) | undefined;
  const onData = (chunk: Buffer) => {
    try {
      inbox.push(...reader.push(chunk).map((r) => r.frame));
    } catch (error) {
      controller.abort(fail('handshake', 'protocol', `${host}:${port} sent a bad frame during the handshake: ${(error as ProtocolError).message}`, error));
    }
    wake?.();
  };
  const onError = (error: NodeJS.ErrnoException) =>
    controller.abort(isConnected
      ? fail('handshake', 'lost', `connection to ${host}:${port} failed during the handshake: ${error.message}`, error)
      : fail('connect', 'unreachable', `cannot connect to ${host}:${port}: ${error.code ?? error.message}`, error));
  const onClose = () => controller.abort(fail(isConnected ? 'handshake' : 'connect', 'lost', `${host}:${port} closed the connection during the handshake`));
  socket.on('data', onData).on('error', onError).on('close', onClose);
  const aborted = throwOnAbort(controller.signal);

  const nextFrame = async (): Promise<Frame> => {
    while (inbox.length === 0) await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted.promise]);
    const frame = inbox.shift()!;
    if (frame.type === 'error') {
      // busy, timeout and shutting-down are the agent refusing this connection, not a protocol mismatch.
      const failure = frame.code === 'auth-failed' ? 'auth-failed' : REFUSALS.has(frame.code) ? 'agent-error' : 'protocol';
      throw fail('handshake', failure, `agent refused the handshake: ${frame.code}: ${frame.message}`, undefined, frame.code);
    }
    return frame;
  };

  try {
    await Promise.race([new Promise<void>((resolve) => socket.once('connect', resolve)), aborted.promise]);
    isConnected = true;
    const bsNonce = createNonce();
    socket.write(encodeHello({ requestId: 0, nonce: bsNonce, clientName: `wdmoe-bs/${PROTOCOL_VERSION}` }));
    const challenge = await nextFrame();
    if (challenge.type !== 'challenge') throw fail('handshake', 'protocol', `agent answered HELLO with ${challenge.type}, expected challenge`);
    if (!verifyProof(options.token, 'agent', bsNonce, challenge.nonce, challenge.proof)) {
      throw fail('handshake', 'auth-failed', `agent at ${host}:${port} does not know the auth token (its proof did not match)`);
    }
    socket.write(encodeAuth({ requestId: 0, proof: computeProof(options.token, 'bs', bsNonce, challenge.nonce) }));
    const welcome = await nextFrame();
    if (welcome.type !== 'welcome') throw fail('handshake', 'protocol', `agent answered AUTH with ${welcome.type}, expected welcome`);
    return {
      device: welcome.device,
      experts: welcome.experts.map(({ layer, expert }) => `${layer}.${expert}` as ExpertKey),
      protocolVersion: PROTOCOL_VERSION,
      limits: welcome.limits,
      runtime: welcome.info,
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    aborted.dispose();
    socket.off('data', onData).off('error', onError).off('close', onClose);
    controller.abort();
  }
}
