// The agent's TCP server (`wdmoe agent` runs one per device): accepts BS connections and serves each
// with an AgentConnection (handshake, RUN in arrival order, PING/STATS, BYE). One bad or silent peer
// only ever loses its own connection. Reports typed events through `onEvent`; never logs.
// Called by agent/run-agent.ts and tests. Imports transport and core only (never bs/deploy/report/cli).
import { createServer, type Socket } from 'node:net';
import { resolveFrameLimits, type FrameLimits } from '../transport/index.js';
import { AgentConnection, type ConnectionContext } from './connection.js';
import type { AgentEvent, AgentStats, ExpertCompute } from './types.js';

export interface AgentServerOptions {
  host: string;
  port: number; // 0 = any free port
  token: string;
  device: string;
  compute: ExpertCompute;
  signal?: AbortSignal; // aborting closes the server
  limits?: Partial<FrameLimits>;
  onEvent?: (event: AgentEvent) => void;
  handshakeTimeoutMs?: number; // default 5000
  maxQueuedRequests?: number; // per connection before reading pauses; default 64
}

export interface AgentServer {
  readonly host: string;
  readonly port: number;
  stats(): AgentStats;
  close(): Promise<void>;
}

// Listens and serves until close() or the signal; rejects with the listen error (e.g. EADDRINUSE).
export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const limits = resolveFrameLimits(options.limits);
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
  let nextConnectionId = 1;

  const server = createServer({ noDelay: true }, (socket: Socket) => {
    const ref = { device, connectionId: nextConnectionId++, remote: `${socket.remoteAddress}:${socket.remotePort}` };
    const context: ConnectionContext = {
      device, token: options.token, compute: options.compute, heldExperts, limits, stats,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 5000,
      maxQueuedRequests: options.maxQueuedRequests ?? 64,
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
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  emit({ kind: 'agent-listening', device, host: options.host, port });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= new Promise<void>((resolve) => {
      options.signal?.removeEventListener('abort', onAbort);
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
