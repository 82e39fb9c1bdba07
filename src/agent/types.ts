// What the agent server is given and what it reports: the compute it serves (model/'s ExpertCompute
// satisfies this structurally; tests pass fakes) and its typed events (only cli/ renders them).
// Types only; must not import bs, deploy, report or cli.
import type { RunRequest, AgentStats, WireErrorCode } from '../transport/index.js';

// Runs this device's experts on one RUN: Σ_k w·expert(x) per row, rows×hidden.
export interface ExpertCompute {
  readonly experts: readonly string[]; // ExpertKey "layer.expert"
  // The experts' hidden width, when known: a RUN of another hidden is refused (bad-shape) before its
  // payload is allocated. Fakes and the perf echo leave it out and take any width.
  readonly hiddenSize?: number;
  apply(work: RunRequest): Promise<Float32Array>;
}

// What runs the experts, as WELCOME reports it (agent/device-monitor.ts).
export interface ComputeEngine {
  name: string; // 'onnxruntime-node' | 'torch' | …
  version: string | null;
  executionProvider: string; // the one that actually runs: 'cpu' | 'cuda' | …
}

// Why a connection ended.
export type DisconnectReason = 'bye' | 'peer-closed' | 'rejected' | 'handshake-timeout' | 'idle-timeout' | 'busy' | 'server-closed' | 'socket-error';

interface ConnectionRef {
  device: string;
  connectionId: number;
  remote: string;
}

// Everything the agent server reports; no console output happens inside the server.
export type AgentEvent =
  | { kind: 'agent-listening'; device: string; host: string; port: number }
  | ({ kind: 'agent-connection' } & ConnectionRef)
  | ({ kind: 'agent-authenticated'; clientName: string } & ConnectionRef)
  | ({ kind: 'agent-rejected'; code: WireErrorCode; message: string } & ConnectionRef)
  | ({ kind: 'agent-request-failed'; requestId: number; layer: number; code: WireErrorCode; message: string } & ConnectionRef)
  | ({ kind: 'agent-disconnected'; reason: DisconnectReason } & ConnectionRef)
  | { kind: 'agent-closed'; device: string };

export type { AgentStats };
