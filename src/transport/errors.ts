// Errors of the transport piece: ProtocolError (a peer sent bytes that break docs/protocol.md) and
// DeviceError (one named device failed in one phase: connect, handshake, run, ping, stats, close).
// Used by transport/client.ts and agent/server.ts; imports only core. The message names what failed,
// which device and why; the hint says what to do (STYLE.md §4).
import { WdmoeError, EXIT_RUN_FAILED } from '../core/index.js';

// Why a frame was rejected; each maps to one wire error code (docs/protocol.md "Error codes").
export type ProtocolErrorCode =
  | 'bad-magic'
  | 'bad-version'
  | 'bad-type'
  | 'bad-flags'
  | 'bad-length'
  | 'too-large'
  | 'bad-dtype'
  | 'bad-shape'
  | 'truncated'
  | 'unexpected-frame'
  | 'bad-info';

// A frame that violates the protocol; raised by the codec before anything is allocated.
export class ProtocolError extends WdmoeError {
  readonly reason: ProtocolErrorCode;
  readonly requestId: number | undefined; // the offending frame's id, when its header was trustworthy

  constructor(reason: ProtocolErrorCode, detail: string, requestId?: number) {
    super(`protocol-${reason}`, `protocol error (${reason}): ${detail}`, {
      hint: 'the peer does not speak wdmoe protocol v2 or sent a corrupt frame; check that BS and agent run the same wdmoe version',
      exitCode: EXIT_RUN_FAILED,
    });
    this.reason = reason;
    this.requestId = requestId;
  }
}

// The step a device was in when it failed.
export type DevicePhase = 'connect' | 'handshake' | 'run' | 'ping' | 'stats' | 'close';

// What went wrong with a device; the error's `code` is `device-<reason>`.
export type DeviceFailure =
  | 'unreachable' // TCP connect failed
  | 'timeout' // no answer within the deadline
  | 'auth-failed' // the shared token does not match (either side)
  | 'lost' // the connection closed or broke while requests were pending
  | 'protocol' // the device sent bytes that break the protocol
  | 'agent-error' // the agent answered with an ERROR frame
  | 'aborted'; // the caller's signal aborted

const HINTS: Record<DeviceFailure, string> = {
  unreachable: 'is the agent running and the port right? on a loopback testbed `wdmoe bench` starts it (or `wdmoe loopback up <testbed>`); on a device, start `wdmoe agent` there',
  timeout: 'the agent is hung, overloaded, or the link is too slow for the deadline; check the agent log or raise timeouts.request in the testbed',
  'auth-failed': 'BS and agent must be given the same auth token (testbed `auth.token` / agent `--token-file`)',
  lost: 'the agent process died or the network dropped; check the agent log (loopback: .wdmoe/logs/ or the run folder\'s agents/; a device: its agent output)',
  protocol: 'the peer is not a wdmoe agent of the same version; check the device host/port in the testbed and the wdmoe version the agent runs',
  'agent-error': 'the agent rejected the request; its message says why',
  aborted: 'the run was cancelled',
};

// Hints for the agent's connection-level refusals that are not a protocol mismatch (by wire code).
const AGENT_CODE_HINTS: Readonly<Record<string, string>> = {
  busy: 'the agent already serves its maximum number of BS connections: stop other runs against it, or restart it with a higher `wdmoe agent --max-connections`',
  timeout: 'the agent closed a connection that did not finish its handshake or stayed idle past its timeout (`wdmoe agent --handshake-timeout / --idle-timeout`); connect again',
  'shutting-down': 'the agent was stopped (SIGINT/SIGTERM or its parent exited); start it again',
};

export interface DeviceErrorInit {
  device: string;
  phase: DevicePhase;
  failure: DeviceFailure;
  detail: string; // what happened, without the device name: "no RESULT for layer 2 within 2000 ms"
  agentCode?: string; // the agent's ERROR code when failure is 'agent-error'
  hint?: string;
  cause?: unknown;
}

// One named device failed; message `device dev-3: <detail>`.
export class DeviceError extends WdmoeError {
  readonly device: string;
  readonly phase: DevicePhase;
  readonly failure: DeviceFailure;
  readonly agentCode: string | undefined;

  constructor(init: DeviceErrorInit) {
    super(`device-${init.failure}`, `device ${init.device}: ${init.detail}`, {
      hint: init.hint ?? (init.agentCode === undefined ? undefined : AGENT_CODE_HINTS[init.agentCode]) ?? HINTS[init.failure],
      exitCode: EXIT_RUN_FAILED,
      cause: init.cause,
    });
    this.device = init.device;
    this.phase = init.phase;
    this.failure = init.failure;
    this.agentCode = init.agentCode;
  }
}
