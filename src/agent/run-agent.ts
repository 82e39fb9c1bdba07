// The device-side process (`wdmoe agent`): loads only its experts from the bundle, serves the wire
// protocol until aborted, then closes. Prints one JSON "ready" line when it listens (loopback and
// deploy wait for it). Must not import bs, deploy, report, cli, ssh2 or ora (test/agent/imports.test.ts).
import { EXIT_BAD_INPUT, EXIT_RUN_FAILED, WdmoeError } from '../core/index.js';
import { ONNX_ENGINE, loadExpertCompute } from '../model/index.js';
import { startAgentServer, type AgentBounds } from './server.js';
import { startDeviceMonitor } from './device-monitor.js';
import { readJetson } from './device-sysfs.js';
import { startEnergySampler } from './energy-sampler.js';

export interface AgentOptions {
  readonly modelDir: string;
  readonly device: string;
  readonly experts: readonly string[] | 'all';
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly intraOpThreads: number;
  readonly bounds: Readonly<AgentBounds>; // timeouts and connection/queue limits (AGENT_DEFAULTS when not given)
  // Exit when this process is gone (bench's child agents must not outlive a killed bench).
  readonly parentPid?: number;
  // Where thermal zones, clocks and power rails are read ("/"; a recorded tree in tests).
  readonly sysfsRoot?: string;
}

const PARENT_POLL_MS = 500;

// Aborts when `pid` no longer exists; the returned stop() clears the poll.
export function watchParent(pid: number, controller: AbortController): () => void {
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch {
      controller.abort(new Error(`parent process ${pid} is gone`));
    }
  }, PARENT_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export interface AgentReady {
  event: 'ready';
  device: string;
  host: string;
  port: number;
  pid: number;
  experts: number;
}

// Runs the agent until `signal` aborts; calls `onReady` once it accepts connections.
export async function runAgent(options: AgentOptions, context: { signal: AbortSignal; onReady: (ready: AgentReady) => void }): Promise<void> {
  for (const key of options.experts === 'all' ? [] : options.experts) {
    if (!/^\d+\.\d+$/.test(key)) {
      throw new WdmoeError('agent-bad-experts', `device ${options.device}: expert "${key}" is not of the form layer.expert (e.g. 3.7)`, { exitCode: EXIT_BAD_INPUT });
    }
  }
  const lifetime = new AbortController();
  const signal = AbortSignal.any([context.signal, lifetime.signal]);
  const stopWatching = options.parentPid === undefined ? () => undefined : watchParent(options.parentPid, lifetime);
  const startedAtMs = performance.now();
  const compute = await loadExpertCompute(options.modelDir, options.experts, { intraOpThreads: options.intraOpThreads });
  // Power rails are sampled for the agent's whole life; STATS hands out the cumulative counters.
  const root = options.sysfsRoot ?? '/';
  const energy = startEnergySampler({ root, isJetson: readJetson(root) !== null });
  const monitor = await startDeviceMonitor({
    runtime: 'node', runtimeVersion: process.versions.node, startedAtMs, root,
    engine: ONNX_ENGINE.name, engineVersion: ONNX_ENGINE.version, executionProvider: ONNX_ENGINE.executionProvider,
    energy: () => energy.counters(),
  });
  try {
    const server = await startAgentServer({
      host: options.host,
      port: options.port,
      token: options.token,
      device: options.device,
      compute,
      describer: monitor,
      signal,
      ...options.bounds,
    }).catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code ?? ((error as { cause?: NodeJS.ErrnoException }).cause?.code);
      if (code === 'EADDRINUSE') {
        throw new WdmoeError('port-in-use', `device ${options.device}: ${options.host}:${options.port} is already in use`, {
          exitCode: EXIT_RUN_FAILED,
          hint: 'stop what listens there (another agent? `wdmoe loopback down <testbed>`) or give this device another port',
          cause: error,
        });
      }
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
        throw new WdmoeError('listen-address', `device ${options.device}: cannot listen on ${options.host}:${options.port}: ${code === 'EADDRNOTAVAIL' ? 'not an address of this machine' : 'the name does not resolve here'} (${code})`, {
          exitCode: EXIT_BAD_INPUT,
          hint: 'the agent listens on the device\'s testbed `host` (the address the BS connects to): give it an address of this device\'s interfaces (see `ip -br addr`), or pass --host',
          cause: error,
        });
      }
      throw error;
    });
    context.onReady({ event: 'ready', device: options.device, host: options.host, port: server.port, pid: process.pid, experts: compute.experts.length });
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
  } finally {
    stopWatching();
    monitor.close();
    energy.close();
    await compute.release();
  }
}
