// The frames of wire protocol v2 as typed values: one interface per frame type, the union Frame,
// and the fixed sizes the handshake shares. Types and constants only: no code, no imports beyond
// frame-header.ts and dtype.ts types. Used by every frame-*.ts codec module, client*.ts and
// agent/ (through index.ts). docs/protocol.md is the spec.
import type { WireDtype } from './dtype.js';
import type { FrameLimits, WireErrorCode } from './frame-header.js';
import type { AgentRuntimeInfo, AgentTelemetry } from './agent-info.js';

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
  info: AgentRuntimeInfo; // runtime, engine, execution provider, OS, board, telemetry at the handshake
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
export interface StatsFrame { type: 'stats'; requestId: number; stats: AgentStats; telemetry: AgentTelemetry }

export type Frame = HelloFrame | ChallengeFrame | AuthFrame | WelcomeFrame | RunFrame | ResultFrame | ErrorFrame | EmptyFrame | StatsFrame;
