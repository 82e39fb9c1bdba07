// The soak figure of `npm run perf` (issue 11 item 7): many pipelined RUNs from several BS connections
// to one agent process for a bounded time, counting errors and the agent's memory at start and end.
// runSoak drives any agent (the test suite runs a short one against a fixture agent); measureSoak runs
// the perf-sized one against perf/echo-peer.ts in a child process (its compute returns its input, so
// the figure is the transport and the agent's own serving cost, and every output can be checked).
// Agent RSS is read from /proc/<pid>/status (Linux); elsewhere it is null.
import { readFileSync } from 'node:fs';
import type { TeardownStack } from '../core/index.js';
import { DeviceClient, type RunRequest } from '../transport/index.js';
import { PERF_TOKEN } from './echo-peer.js';
import { startPeers } from './transport.js';

export interface SoakOptions {
  host: string;
  port: number;
  token: string;
  agentPid?: number; // for RSS; absent: not measured
  connections: number;
  requests: number; // in all, spread over the connections
  inFlight: number; // pipelined RUNs per connection
  hidden: number; // fp32 values per RUN (and RESULT)
  timeLimitMs: number; // the soak stops (and fails) past this
  signal?: AbortSignal;
}

export interface SoakFigure {
  connections: number;
  requests: number; // answered correctly
  errors: number; // failed, timed out or answered wrong
  firstError: string | null;
  seconds: number;
  requestsPerSecond: number;
  agentRssStartBytes: number | null; // after a warm-up of one request per slot
  agentRssEndBytes: number | null;
}

const REQUEST_DEADLINE_MS = 10_000;

// Resident set size of `pid`, or null where /proc is not there.
export function readRssBytes(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

// A RUN whose states encode (connection, sequence), so that a mixed-up reply shows in the output.
function requestOf(connection: number, sequence: number, hidden: number): RunRequest {
  const states = new Float32Array(hidden);
  states[0] = connection;
  states[1] = sequence;
  for (let i = 2; i < hidden; i++) states[i] = (sequence + i) % 251;
  return { layer: 0, rows: 1, hidden, k: 1, states, weights: new Float32Array([1]), experts: new Uint16Array([0]) };
}

// Drives `connections` clients with `inFlight` RUNs each in flight until `requests` were answered; an echo
// agent must return every RUN's states unchanged (any other compute counts as errors).
export async function runSoak(options: SoakOptions): Promise<SoakFigure> {
  const clients = await Promise.all(Array.from({ length: options.connections }, (_, index) =>
    DeviceClient.connect({ device: `soak-${index}`, host: options.host, port: options.port, token: options.token, connectTimeoutMs: 5000, signal: options.signal })));
  let errors = 0;
  let firstError: string | null = null;
  const fail = (message: string) => {
    errors++;
    firstError ??= message;
  };
  const one = async (connection: number, sequence: number) => {
    const request = requestOf(connection, sequence, options.hidden);
    try {
      const reply = await clients[connection]!.run(request, { deadlineMs: REQUEST_DEADLINE_MS });
      const output = reply.output;
      if (output[0] !== connection || output[1] !== sequence || output[options.hidden - 1] !== request.states[options.hidden - 1]) {
        fail(`connection ${connection} request ${sequence}: wrong output (${output[0]}, ${output[1]})`);
      }
      reply.release?.();
    } catch (error) {
      fail(`connection ${connection} request ${sequence}: ${(error as Error).message}`);
    }
  };
  try {
    // Warm-up: one request per slot, then the memory baseline.
    await Promise.all(clients.flatMap((_, connection) => Array.from({ length: options.inFlight }, (_, slot) => one(connection, slot))));
    const agentRssStartBytes = readRssBytes(options.agentPid);
    const startMs = performance.now();
    const deadlineMs = startMs + options.timeLimitMs;
    let issued = 0;
    let answered = 0;
    const lane = async (connection: number) => {
      while (issued < options.requests && performance.now() < deadlineMs && !options.signal?.aborted) {
        await one(connection, options.inFlight + issued++);
        answered++;
      }
    };
    await Promise.all(clients.flatMap((_, connection) => Array.from({ length: options.inFlight }, () => lane(connection))));
    const seconds = (performance.now() - startMs) / 1000;
    if (answered < options.requests) fail(`only ${answered} of ${options.requests} requests within ${options.timeLimitMs} ms`);
    return {
      connections: options.connections, requests: answered - Math.min(errors, answered), errors, firstError, seconds,
      requestsPerSecond: answered / seconds, agentRssStartBytes, agentRssEndBytes: readRssBytes(options.agentPid),
    };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
}

// 50,000 RUNs of 1 KB over 4 connections, 16 in flight each, within 60 s, against an echo agent process.
export async function measureSoak(teardown: TeardownStack, signal: AbortSignal): Promise<SoakFigure> {
  const peers = await startPeers('cross-process', teardown);
  return runSoak({
    host: '127.0.0.1', port: peers.agentPort, token: PERF_TOKEN, agentPid: peers.pid,
    connections: 4, requests: 50_000, inFlight: 16, hidden: 256, timeLimitMs: 60_000, signal,
  });
}
