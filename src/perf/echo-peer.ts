// The far end of perf's transport figures: an agent server whose compute returns its input (zero
// cost) and a raw TCP echo, both on 127.0.0.1 ports the OS picks. perf/transport.ts starts them in its
// own process (in-process figure: no wake-up between processes, so protocol overhead shows in full)
// and, through this file run as a program, in a child process (cross-process figure: the agent is
// another process, as it is on a testbed). As a program it prints one JSON line {"agentPort",
// "rawPort"} and serves until stdin closes or it is signalled. Imports agent and node built-ins only.
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startAgentServer, type AgentServer, type ExpertCompute } from '../agent/index.js';

export const PERF_TOKEN = 'perf-token';

// Compute that returns its input: the round trip then measures the transport and nothing else.
export const echoCompute: ExpertCompute = { experts: ['0.0'], apply: async (work) => work.states };

export interface EchoPeers {
  agentPort: number;
  rawPort: number;
  close(): Promise<void>;
}

// A raw echo server. Each connection first sends its message size (4 bytes, little-endian, once, not
// timed); then every time the server holds that many bytes it writes them back (store-and-forward,
// as a request/response protocol must be: it cannot answer before it has read the request either).
function startRawEcho(): Promise<Server> {
  const server = createServer({ noDelay: true }, (socket) => {
    let messageBytes = 0;
    let preamble = Buffer.alloc(0);
    let held: Buffer[] = [];
    let count = 0;
    socket.on('data', (chunk: Buffer) => {
      if (messageBytes === 0) {
        preamble = Buffer.concat([preamble, chunk]);
        if (preamble.length < 4) return;
        messageBytes = preamble.readUInt32LE(0);
        chunk = preamble.subarray(4);
        if (chunk.length === 0) return;
      }
      held.push(chunk);
      count += chunk.length;
      if (count >= messageBytes) {
        socket.cork();
        for (const part of held) socket.write(part);
        socket.uncork();
        held = [];
        count = 0;
      }
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Starts both servers in this process.
export async function startEchoPeers(): Promise<EchoPeers> {
  const agent: AgentServer = await startAgentServer({ host: '127.0.0.1', port: 0, token: PERF_TOKEN, device: 'perf', compute: echoCompute });
  const raw = await startRawEcho();
  const address = raw.address();
  const rawPort = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    agentPort: agent.port,
    rawPort,
    close: async () => {
      await agent.close();
      await new Promise<void>((resolve) => raw.close(() => resolve()));
    },
  };
}

// Run as a program (the child of the cross-process figure).
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const peers = await startEchoPeers();
  process.stdout.write(`${JSON.stringify({ agentPort: peers.agentPort, rawPort: peers.rawPort })}\n`);
  let isStopping = false;
  const stop = () => {
    if (isStopping) return;
    isStopping = true;
    peers.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.stdin.on('end', stop).on('close', stop).resume();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
