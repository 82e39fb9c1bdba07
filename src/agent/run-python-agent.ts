// `wdmoe agent --runtime python`: runs the Python agent (python/wdmoe_agent, shipped in this package) as a
// child with the same flags, so loopback and deploy start either runtime the same way. The child writes
// its ready line and any `error[code]` line straight to our stdout/stderr; it gets the token through the
// environment (never argv) and our pid as its parent, so it exits if this process is killed. Aborting
// `signal` sends it SIGTERM (SIGKILL after 5 s). Imports node built-ins and core only.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EXIT_BAD_INPUT, EXIT_RUN_FAILED, WdmoeError } from '../core/index.js';
import { agentLaunchFlags } from './launch.js';
import { watchParent, type AgentOptions } from './run-agent.js';

// The folder holding the wdmoe_agent package (dist/agent/ and src/agent/ are both two levels below the root).
export const PYTHON_PACKAGE_DIR = fileURLToPath(new URL('../../python', import.meta.url));

export type PythonBackend = 'torch' | 'onnxruntime';
export type PythonAccelerator = 'auto' | 'cuda' | 'cpu';

export interface PythonAgentOptions extends AgentOptions {
  readonly python: string; // interpreter, e.g. python3 or .venv/bin/python
  readonly backend: PythonBackend;
  readonly accelerator: PythonAccelerator;
  readonly environment: Readonly<Record<string, string | undefined>>; // the child's environment, before ours is added
}

const KILL_AFTER_MS = 5000;

// The child's argv after the interpreter.
export function pythonAgentArgs(options: PythonAgentOptions, parentPid: number): string[] {
  return [
    '-m', 'wdmoe_agent',
    ...agentLaunchFlags({ modelDir: options.modelDir, device: options.device, experts: options.experts, host: options.host, port: options.port, threads: options.intraOpThreads, parentPid }),
    '--backend', options.backend, '--accelerator', options.accelerator,
    ...(options.sysfsRoot === undefined ? [] : ['--sysfs-root', options.sysfsRoot]),
    '--handshake-timeout-ms', String(options.bounds.handshakeTimeoutMs), '--idle-timeout-ms', String(options.bounds.idleTimeoutMs),
    '--max-connections', String(options.bounds.maxConnections), '--max-queued', String(options.bounds.maxQueuedRequests),
  ];
}

// Runs the Python agent until `signal` aborts (then stops it) or it exits by itself (an error when non-zero).
export async function runPythonAgent(options: PythonAgentOptions, context: { signal: AbortSignal }): Promise<void> {
  const lifetime = new AbortController();
  const stopWatching = options.parentPid === undefined ? () => undefined : watchParent(options.parentPid, lifetime);
  const signal = AbortSignal.any([context.signal, lifetime.signal]);
  const inherited = options.environment['PYTHONPATH'];
  const child = spawn(options.python, pythonAgentArgs(options, process.pid), {
    env: {
      ...options.environment,
      WDMOE_TOKEN: options.token,
      PYTHONPATH: inherited === undefined || inherited === '' ? PYTHON_PACKAGE_DIR : `${PYTHON_PACKAGE_DIR}:${inherited}`,
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  };
  try {
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, exitSignal) => resolve({ code, signal: exitSignal }));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }).catch((cause: NodeJS.ErrnoException) => {
      throw new WdmoeError('agent-no-python', `device ${options.device}: cannot run the Python interpreter "${options.python}" (${cause.code ?? cause.message})`, {
        exitCode: EXIT_BAD_INPUT,
        hint: 'install Python ≥ 3.8 with torch (or onnxruntime), numpy and onnx, or name the interpreter: --python PATH (a testbed\'s `python:`) or WDMOE_PYTHON',
        cause,
      });
    });
    if (signal.aborted) return;
    if (exit.code !== 0) {
      // The child printed its own error[code] line first; this one only says how it ended.
      throw new WdmoeError('agent-python-exited', `device ${options.device}: the Python agent exited with ${exit.signal ?? `code ${exit.code}`}`, {
        exitCode: exit.code === EXIT_BAD_INPUT ? EXIT_BAD_INPUT : EXIT_RUN_FAILED,
        hint: 'its own error is printed above',
      });
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (killTimer !== undefined) clearTimeout(killTimer);
    stopWatching();
  }
}
