// Transport benchmarks for `npm run perf`: (1) RUN round trip through DeviceClient + agent server
// (compute returns its input, zero cost) versus a raw Node TCP ping-pong of the same payload size, with
// the far end in this process and in a child process (perf/echo-peer.ts); (2) shaped transfer time
// versus the link model. Everything runs on 127.0.0.1.
// The raw baseline is store-and-forward (the echo server answers once it holds the whole message),
// because a request/response protocol cannot answer before it has read the request either.
import { connect as connectTcp, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { startAgentServer } from '../agent/index.js';
import { DeviceClient, type RunReply, type RunRequest } from '../transport/index.js';
import { createShaper, expectedTransferMs, type LinkDirection } from '../links/index.js';
import type { TeardownStack } from '../core/index.js';
import { echoCompute, PERF_TOKEN, startEchoPeers } from './echo-peer.js';
import { median } from './stats.js';

// Where the far end runs: in this process (the protocol's own cost in full), or in a child process
// (as deployed: the agent is another process, so each round trip also pays two process wake-ups).
export type PeerPlacement = 'in-process' | 'cross-process';

export interface TransportFigure {
  peer: PeerPlacement;
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

const SIZES = [64, 8192, 262_144];
// Built (dist/perf/echo-peer.js) or, when this module runs from source under tsx, the .ts beside it.
const IS_SOURCE = import.meta.url.endsWith('.ts');
const ECHO_PEER = fileURLToPath(new URL(IS_SOURCE ? './echo-peer.ts' : './echo-peer.js', import.meta.url));

function iterationsFor(payloadBytes: number, peer: PeerPlacement): { warmup: number; measured: number } {
  const small = payloadBytes <= 8192;
  if (peer === 'cross-process') return small ? { warmup: 300, measured: 1500 } : { warmup: 100, measured: 400 };
  return small ? { warmup: 500, measured: 3000 } : { warmup: 100, measured: 600 };
}

function requestOf(payloadBytes: number): RunRequest {
  const hidden = payloadBytes / 4;
  return { layer: 0, rows: 1, hidden, k: 1, states: new Float32Array(hidden).fill(0.5), weights: new Float32Array([1]), experts: new Uint16Array([0]) };
}

// A connected raw client: tells the echo its message size once, then `roundTrip()` writes the payload
// and resolves when all of it came back.
async function connectRawClient(port: number, payloadBytes: number): Promise<{ roundTrip: () => Promise<void>; close: () => void }> {
  const socket: Socket = connectTcp({ host: '127.0.0.1', port, noDelay: true });
  await new Promise<void>((resolve, reject) => socket.once('connect', () => resolve()).once('error', reject));
  const preamble = Buffer.alloc(4);
  preamble.writeUInt32LE(payloadBytes, 0);
  socket.write(preamble);
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

// The echo peers of one placement: in this process, or a child started with execa and registered on
// `teardown` (it also exits when our end of its stdin closes, i.e. when this process dies).
// Starts the echo peers in this process or in a child (perf/echo-peer.ts); `pid` is the process serving them.
export async function startPeers(peer: PeerPlacement, teardown: TeardownStack): Promise<{ agentPort: number; rawPort: number; pid: number }> {
  if (peer === 'in-process') {
    const peers = await startEchoPeers();
    teardown.defer('in-process echo peers', () => peers.close());
    return { agentPort: peers.agentPort, rawPort: peers.rawPort, pid: process.pid };
  }
  const child = execa(process.execPath, [...(IS_SOURCE ? ['--import', 'tsx'] : []), ECHO_PEER], { stdin: 'pipe', stdout: 'pipe', stderr: 'inherit', cleanup: true, forceKillAfterDelay: 2000, reject: false });
  teardown.defer(`echo peer (pid ${child.pid})`, async () => {
    child.stdin?.end();
    await Promise.race([child, new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('echo peer did not report its ports within 10 s')), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const newline = text.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(text.slice(0, newline));
      }
    });
    void child.then((result) => {
      clearTimeout(timer);
      reject(new Error(`echo peer exited before reporting its ports (${result.exitCode ?? result.signal})`));
    });
  });
  return { ...(JSON.parse(line) as { agentPort: number; rawPort: number }), pid: child.pid! };
}

// Transport round trip vs raw TCP for 64 B, 8 KB and 256 KB payloads, with the far end in this process
// or in a child: medians after warm-up, the two measured in alternating blocks so that drift of a shared
// machine hits both alike.
export async function measureTransport(peer: PeerPlacement, teardown: TeardownStack): Promise<TransportFigure[]> {
  const { agentPort, rawPort } = await startPeers(peer, teardown);
  const client = await DeviceClient.connect({ device: 'perf', host: '127.0.0.1', port: agentPort, token: PERF_TOKEN, connectTimeoutMs: 5000 });
  const figures: TransportFigure[] = [];
  try {
    for (const payloadBytes of SIZES) {
      const raw = await connectRawClient(rawPort, payloadBytes);
      const request = requestOf(payloadBytes);
      const runOnce = () => client.run(request, { deadlineMs: 5000 });
      const { warmup, measured } = iterationsFor(payloadBytes, peer);
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
      const transportMs = median(transportSamples);
      const rawTcpMs = median(rawSamples);
      figures.push({ peer, payloadBytes, transportMs, rawTcpMs, ratio: transportMs / rawTcpMs });
    }
  } finally {
    await client.close();
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
  const agent = await startAgentServer({ host: '127.0.0.1', port: 0, token: PERF_TOKEN, device: 'perf', compute: echoCompute });
  const figures: ShapingFigure[] = [];
  try {
    for (const { config, spec, payloadBytes } of SHAPING_CONFIGS) {
      const client = await DeviceClient.connect({ device: 'perf', host: '127.0.0.1', port: agent.port, token: PERF_TOKEN, connectTimeoutMs: 5000,
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
