// The agent's TCP server (`wdmoe agent` runs one per device): accepts BS connections and serves each
// with an AgentConnection (handshake, RUN in arrival order, PING/STATS, BYE). One bad or silent peer
// only ever loses its own connection; past maxConnections a new one gets ERROR busy and is closed.
// Reports typed events through `onEvent`; never logs.
// Called by agent/run-agent.ts and tests. Imports transport and core only (never bs/deploy/report/cli).
import { createServer, type Socket } from 'node:net';
import { encodeError, resolveFrameLimits, type FrameLimits } from '../transport/index.js';
import { AgentConnection, type ConnectionContext } from './connection.js';
import type { AgentEvent, AgentStats, ComputeEngine, ExpertCompute } from './types.js';
import { startDeviceMonitor, type DeviceDescriber, type DeviceMonitor } from './device-monitor.js';

export interface AgentServerOptions {
  host: string;
  port: number; // 0 = any free port
  token: string;
  device: string;
  compute: ExpertCompute;
  // What WELCOME and STATS say about the device; default: a DeviceMonitor of this host with `engine`.
  describer?: DeviceDescriber;
  engine?: ComputeEngine; // default: unknown engine on cpu
  signal?: AbortSignal; // aborting closes the server
  limits?: Partial<FrameLimits>;
  onEvent?: (event: AgentEvent) => void;
  handshakeTimeoutMs?: number; // default AGENT_DEFAULTS.handshakeTimeoutMs
  idleTimeoutMs?: number; // authenticated connection with nothing received or in flight; 0 = never
  maxConnections?: number; // open at once, authenticated or not
  maxQueuedRequests?: number; // per connection before reading pauses
  maxQueuedBytes?: number; // RUN bytes queued per connection before reading pauses
}

// The defaults of the server's bounds (docs/protocol.md "Agent bounds"; `wdmoe agent --help`).
export interface AgentBounds {
  handshakeTimeoutMs: number;
  idleTimeoutMs: number;
  maxConnections: number;
  maxQueuedRequests: number;
  maxQueuedBytes: number;
}
export const AGENT_DEFAULTS: Readonly<AgentBounds> = Object.freeze({
  handshakeTimeoutMs: 5000,
  idleTimeoutMs: 600_000,
  maxConnections: 16,
  maxQueuedRequests: 64,
  maxQueuedBytes: 32 * 1024 * 1024,
});

export interface AgentServer {
  readonly host: string;
  readonly port: number;
  stats(): AgentStats;
  close(): Promise<void>;
}

// Listens and serves until close() or the signal; rejects with the listen error (e.g. EADDRINUSE).
export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const limits = resolveFrameLimits(options.limits);
  const bounds = resolveBounds(options);
  const { device } = options;
  const emit = (event: AgentEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A broken event sink must not take the agent down.
    }
  };
  const heldExperts = new Map<number, Uint8Array>();
  for (const key of options.compute.experts) {
    const [layer, expert] = key.split('.').map(Number);
    if (!Number.isInteger(layer) || !Number.isInteger(expert) || layer! < 0 || layer! > 0xffff || expert! < 0 || expert! >= 0xffff) {
      throw new RangeError(`expert key "${key}" is not layer.expert within 0..65534`);
    }
    let bitmap = heldExperts.get(layer!);
    if (bitmap === undefined) heldExperts.set(layer!, (bitmap = new Uint8Array(0x10000)));
    bitmap[expert!] = 1;
  }
  const stats: AgentStats = { connections: 0, runRequests: 0, runServed: 0, runErrors: 0, deadlineMisses: 0, computeMicrosTotal: 0, bytesReceived: 0, bytesSent: 0 };
  const connections = new Set<AgentConnection>();
  let ownMonitor: DeviceMonitor | undefined;
  if (options.describer === undefined) {
    const engine = options.engine ?? { name: 'unknown', version: null, executionProvider: 'cpu' };
    ownMonitor = await startDeviceMonitor({
      runtime: 'node', runtimeVersion: process.versions.node, engine: engine.name, engineVersion: engine.version, executionProvider: engine.executionProvider,
    });
  }
  const describer = options.describer ?? ownMonitor!;
  let nextConnectionId = 1;

  const server = createServer({ noDelay: true }, (socket: Socket) => {
    const ref = { device, connectionId: nextConnectionId++, remote: `${socket.remoteAddress}:${socket.remotePort}` };
    if (connections.size >= bounds.maxConnections) return refuseBusy(socket, device, bounds.maxConnections, (message) => emit({ kind: 'agent-rejected', code: 'busy', message, ...ref }));
    const context: ConnectionContext = {
      device, token: options.token, compute: options.compute, describer, heldExperts, limits, stats, ...bounds,
      onAuthenticated: (clientName) => emit({ kind: 'agent-authenticated', clientName, ...ref }),
      onRejected: (code, message) => emit({ kind: 'agent-rejected', code, message, ...ref }),
      onRequestFailed: (requestId, layer, code, message) => emit({ kind: 'agent-request-failed', requestId, layer, code, message, ...ref }),
      onClosed: (reason) => {
        connections.delete(connection);
        emit({ kind: 'agent-disconnected', reason, ...ref });
      },
    };
    emit({ kind: 'agent-connection', ...ref });
    const connection = new AgentConnection(socket, context);
    connections.add(connection);
  });
  server.on('error', () => undefined); // after listen, errors surface per socket; never crash

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off('error', onError);
      resolve();
    });
  }).catch((error: unknown) => {
    ownMonitor?.close();
    throw error;
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  emit({ kind: 'agent-listening', device, host: options.host, port });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((resolve) => {
      options.signal?.removeEventListener('abort', onAbort);
      ownMonitor?.close();
      const timer = setTimeout(resolve, 2000); // bounded even if a socket lingers
      server.close(() => {
        clearTimeout(timer);
        emit({ kind: 'agent-closed', device });
        resolve();
      });
      for (const connection of connections) connection.shutdown();
    }));
  const onAbort = () => void close();
  if (options.signal?.aborted) await close();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  return { host: options.host, port, stats: () => ({ ...stats }), close };
}

function resolveBounds(options: AgentServerOptions): AgentBounds {
  const bounds = {
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? AGENT_DEFAULTS.handshakeTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? AGENT_DEFAULTS.idleTimeoutMs,
    maxConnections: options.maxConnections ?? AGENT_DEFAULTS.maxConnections,
    maxQueuedRequests: options.maxQueuedRequests ?? AGENT_DEFAULTS.maxQueuedRequests,
    maxQueuedBytes: options.maxQueuedBytes ?? AGENT_DEFAULTS.maxQueuedBytes,
  };
  for (const [name, value] of Object.entries(bounds)) {
    const min = name === 'idleTimeoutMs' ? 0 : 1;
    if (!Number.isInteger(value) || value < min || value > 0x7fff_ffff) throw new RangeError(`agent ${name} must be an integer in ${min}..2^31-1, got ${value}`);
  }
  return bounds;
}

// Answers a connection over the limit with ERROR busy and closes it (destroyed after 1 s if it never reads).
function refuseBusy(socket: Socket, device: string, maxConnections: number, report: (message: string) => void): void {
  const message = `agent ${device} already serves ${maxConnections} connections (its --max-connections)`;
  socket.on('error', () => undefined);
  socket.end(encodeError({ requestId: 0, code: 'busy', message }));
  setTimeout(() => socket.destroy(), 1000).unref();
  report(message);
}
