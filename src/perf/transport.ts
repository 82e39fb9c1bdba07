// Transport benchmarks for `npm run perf`: (1) RUN round trip through DeviceClient + agent server
// (compute returns its input, zero cost) versus a raw Node TCP ping-pong of the same payload size;
// (2) shaped transfer time versus the link model. Runs everything in-process on 127.0.0.1.
// The raw baseline is store-and-forward (the echo server answers once it holds the whole message),
// because a request/response protocol cannot answer before it has read the request either.
import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';
import { startAgentServer, type ExpertCompute } from '../agent/index.js';
import { DeviceClient, type RunReply, type RunRequest } from '../transport/index.js';
import { createShaper, expectedTransferMs, type LinkDirection } from '../links/index.js';

export interface TransportFigure {
  payloadBytes: number;
  transportMs: number; // median RUN → RESULT round trip
  rawTcpMs: number; // median raw TCP round trip of the same payload
  ratio: number; // transportMs / rawTcpMs
}

export interface ShapingFigure {
  config: string;
  payloadBytes: number; // RUN frame bytes on the shaped downlink
  measuredMs: number; // median, run() call → frame released to the socket
  expectedMs: number; // expectedTransferMs
  ratio: number;
}

const TOKEN = 'perf-token';
const SIZES = [64, 8192, 262_144];

const echoCompute: ExpertCompute = { experts: ['0.0'], apply: async (work: RunRequest) => work.states };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function iterationsFor(payloadBytes: number): { warmup: number; measured: number } {
  return payloadBytes <= 8192 ? { warmup: 500, measured: 3000 } : { warmup: 100, measured: 600 };
}

function requestOf(payloadBytes: number): RunRequest {
  const hidden = payloadBytes / 4;
  return { layer: 0, rows: 1, hidden, k: 1, states: new Float32Array(hidden).fill(0.5), weights: new Float32Array([1]), experts: new Uint16Array([0]) };
}

// A raw echo server: reads `payloadBytes`, then writes them back.
function startRawEcho(payloadBytes: number): Promise<Server> {
  const server = createServer({ noDelay: true }, (socket) => {
    let held: Buffer[] = [];
    let count = 0;
    socket.on('data', (chunk: Buffer) => {
      held.push(chunk);
      count += chunk.length;
      if (count >= payloadBytes) {
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

// A connected raw client: `roundTrip()` writes the payload and resolves when all of it came back.
async function connectRawClient(server: Server, payloadBytes: number): Promise<{ roundTrip: () => Promise<void>; close: () => void }> {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const socket: Socket = connectTcp({ host: '127.0.0.1', port, noDelay: true });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const payload = Buffer.alloc(payloadBytes, 1);
  let received = 0;
  let done: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received >= payloadBytes) {
      received -= payloadBytes;
      done?.();
    }
  });
  return {
    roundTrip: () => new Promise<void>((resolve) => {
      done = resolve;
      socket.write(payload);
    }),
    close: () => socket.destroy(),
  };
}

// Times `count` calls of `once`; `after` sees each value outside the timed span.
async function sample<T>(samples: number[], count: number, once: () => Promise<T>, after?: (value: T) => void): Promise<void> {
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const value = await once();
    samples.push(performance.now() - start);
    after?.(value);
  }
}

// What a BS does once it has combined a device's output (bs/dispatch.ts consumes it synchronously).
const releaseReply = (reply: RunReply) => reply.release?.();

// Transport round trip vs raw TCP for 64 B, 8 KB and 256 KB payloads: medians after warm-up, the two
// measured in alternating blocks so that drift of a shared machine hits both alike.
export async function measureTransport(): Promise<TransportFigure[]> {
  const agent = await startAgentServer({ host: '127.0.0.1', port: 0, token: TOKEN, device: 'perf', compute: echoCompute });
  const client = await DeviceClient.connect({ device: 'perf', host: '127.0.0.1', port: agent.port, token: TOKEN, connectTimeoutMs: 5000 });
  const figures: TransportFigure[] = [];
  try {
    for (const payloadBytes of SIZES) {
      const server = await startRawEcho(payloadBytes);
      const raw = await connectRawClient(server, payloadBytes);
      const request = requestOf(payloadBytes);
      const runOnce = () => client.run(request, { deadlineMs: 5000 });
      const { warmup, measured } = iterationsFor(payloadBytes);
      await sample([], warmup, runOnce, releaseReply);
      await sample([], warmup, raw.roundTrip);
      const transportSamples: number[] = [];
      const rawSamples: number[] = [];
      const BLOCKS = 10;
      for (let block = 0; block < BLOCKS; block++) {
        await sample(transportSamples, measured / BLOCKS, runOnce, releaseReply);
        await sample(rawSamples, measured / BLOCKS, raw.roundTrip);
      }
      raw.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const transportMs = median(transportSamples);
      const rawTcpMs = median(rawSamples);
      figures.push({ payloadBytes, transportMs, rawTcpMs, ratio: transportMs / rawTcpMs });
    }
  } finally {
    await client.close();
    await agent.close();
  }
  return figures;
}

const SHAPING_CONFIGS: Array<{ config: string; spec: LinkDirection; payloadBytes: number }> = [
  { config: '8 KB at 1 mbit + 20 ms', spec: { rateBitsPerSec: 1e6, delayMs: 20, jitterMs: 0, lossRate: 0 }, payloadBytes: 8192 },
  { config: '64 KB at 10 mbit + 5 ms', spec: { rateBitsPerSec: 1e7, delayMs: 5, jitterMs: 0, lossRate: 0 }, payloadBytes: 65_536 },
  { config: '256 KB at 100 mbit + 2 ms', spec: { rateBitsPerSec: 1e8, delayMs: 2, jitterMs: 0, lossRate: 0 }, payloadBytes: 262_144 },
  { config: '1 KB unlimited + 10 ms', spec: { rateBitsPerSec: null, delayMs: 10, jitterMs: 0, lossRate: 0 }, payloadBytes: 1024 },
];

// Shaped downlink time of a RUN ÷ the link model, for a few link configurations (median of 7).
export async function measureShaping(): Promise<ShapingFigure[]> {
  const agent = await startAgentServer({ host: '127.0.0.1', port: 0, token: TOKEN, device: 'perf', compute: echoCompute });
  const figures: ShapingFigure[] = [];
  try {
    for (const { config, spec, payloadBytes } of SHAPING_CONFIGS) {
      const client = await DeviceClient.connect({ device: 'perf', host: '127.0.0.1', port: agent.port, token: TOKEN, connectTimeoutMs: 5000,
        downlink: createShaper('userspace', spec, 1) });
      const request = requestOf(payloadBytes);
      const samples: number[] = [];
      let frameBytes = 0;
      for (let i = 0; i < 8; i++) {
        const { timing } = await client.run(request, { deadlineMs: 10_000 });
        frameBytes = timing.downlinkBytes;
        if (i > 0) samples.push(timing.downlinkDoneMs - timing.sendStartMs);
      }
      await client.close();
      const measuredMs = median(samples);
      const expectedMs = expectedTransferMs(spec, frameBytes);
      figures.push({ config, payloadBytes: frameBytes, measuredMs, expectedMs, ratio: measuredMs / expectedMs });
    }
  } finally {
    await agent.close();
  }
  return figures;
}
