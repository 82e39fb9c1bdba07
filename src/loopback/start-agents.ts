// Starts one `wdmoe agent` process per testbed device on this machine and waits until each has
// loaded its experts and listens (it prints a JSON "ready" line to its log). Used by `loopback up`
// (detached: agents outlive the command) and by bench (children, stopped with the run). A device with
// `runtime: python` gets `wdmoe agent --runtime python` (interpreter: the device's `python` from the
// testbed, else the agent's own default: $WDMOE_PYTHON, else python3).
import { closeSync, fstatSync, openSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { EXIT_BAD_INPUT, sleep, type TeardownStack } from '../core/index.js';
import { agentErrorLine, agentLaunchFlags, hasReadyLine } from '../agent/index.js';
import type { DeviceSpec, Testbed } from '../testbed/index.js';
import { LoopbackError } from './errors.js';
import { isOurAgent, type LoopbackAgentState } from './state.js';
import { stopAgent } from './stop-agents.js';

const BIN = fileURLToPath(new URL('../../bin/wdmoe', import.meta.url));
const READY_POLL_MS = 50;
// The Python agent's start errors that mean its interpreter is wrong (missing, too old, without its packages).
const PYTHON_SETUP_ERRORS = /^agent-(no-python|python-too-old|no-(torch|numpy|onnx|onnxruntime))$/;

export interface StartAgentsOptions {
  testbed: Testbed;
  logDir: string;
  detached: boolean; // true for `loopback up`
  readyTimeoutMs: number;
  teardown: TeardownStack; // each started agent is registered here the moment it exists
  onSpawned?: (agent: LoopbackAgentState) => void; // called the moment an agent exists (before it is ready): record it
  signal?: AbortSignal;
  onEvent?: (event: { kind: 'agent-started'; device: string; pid: number; port: number }) => void;
}

// The expert keys a device holds under the testbed's placement.
export function expertsOfDevice(testbed: Testbed, device: string): string[] {
  const keys: string[] = [];
  for (const [key, devices] of testbed.placement) if (devices.includes(device as DeviceSpec['name'])) keys.push(key);
  return keys;
}

// Starts every device's agent in parallel; on any failure the ones already started are stopped by the caller's teardown.
export async function startAgents(options: StartAgentsOptions): Promise<LoopbackAgentState[]> {
  await mkdir(options.logDir, { recursive: true });
  return Promise.all(options.testbed.devices.map((device) => startAgent(device, options)));
}

async function startAgent(device: DeviceSpec, options: StartAgentsOptions): Promise<LoopbackAgentState> {
  const { testbed } = options;
  const log = path.join(options.logDir, `${device.name}.log`);
  // The agent writes straight to its log file (a plain fd, not piped through us), so a detached agent
  // keeps its output after `loopback up` exits.
  const logFd = openSync(log, 'a'); // appended: a resumed run keeps the log of the agent that died before
  const logStart = fstatSync(logFd).size; // only what this agent writes counts as its ready/error line
  const experts = expertsOfDevice(testbed, device.name);
  const launch = { modelDir: testbed.modelDir, device: device.name, experts, host: device.host, port: device.port, threads: 1, parentPid: options.detached ? undefined : process.pid };
  const args: string[] = [BIN, 'agent', ...agentLaunchFlags(launch), ...pythonArgs(device)];
  const subprocess = execa(process.execPath, args, {
    env: { WDMOE_TOKEN: testbed.auth.token },
    extendEnv: true,
    // execa runs a numeric fd as a plain file descriptor; its types only admit literal fd numbers.
    stdio: ['ignore', logFd as 3, logFd as 3],
    detached: options.detached,
    cleanup: !options.detached,
    forceKillAfterDelay: 2000,
    cancelSignal: options.detached ? undefined : options.signal,
    reject: false,
  });
  closeSync(logFd);
  const pid = subprocess.pid;
  if (pid === undefined) throw new LoopbackError('agent-spawn', `device ${device.name}: could not start ${process.execPath} ${BIN}`, { device: device.name });
  options.teardown.defer(`agent ${device.name} (pid ${pid})`, async () => {
    await stopAgent({ name: device.name, pid }, 3000);
  }, { onExit: () => killAgentNow({ name: device.name, pid }) });
  const agent = { name: device.name, host: device.host, port: device.port, pid, log };
  options.onSpawned?.(agent);
  if (options.detached) subprocess.unref();
  await waitForReady(device, log, logStart, subprocess, options.readyTimeoutMs, options.signal);
  options.onEvent?.({ kind: 'agent-started', device: device.name, pid, port: device.port });
  return agent;
}

// `--runtime python`, and `--python` when the testbed names the interpreter (without it, `wdmoe agent`
// falls back to $WDMOE_PYTHON, else python3).
function pythonArgs(device: DeviceSpec): string[] {
  if (device.runtime !== 'python') return [];
  return ['--runtime', 'python', ...(device.python === null ? [] : ['--python', device.python])];
}

// The exit fallback: SIGKILL by recorded pid, if it still is our agent (synchronous, for process 'exit').
function killAgentNow(agent: { name: string; pid: number }): void {
  if (isOurAgent(agent.pid, agent.name)) process.kill(agent.pid, 'SIGKILL');
}

// Polls the agent's log for its ready line; fails fast with the agent's own error if it exits.
async function waitForReady(device: DeviceSpec, log: string, logStart: number, subprocess: ResultPromise, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  let exited: { exitCode?: number; signal?: string } | undefined;
  void subprocess.then((result) => {
    exited = { exitCode: result.exitCode, signal: result.signal };
  });
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    signal?.throwIfAborted();
    const text = await readFile(log).then((bytes) => bytes.subarray(logStart).toString('utf8'), () => '');
    if (hasReadyLine(text)) return;
    if (exited !== undefined) {
      const agentError = agentErrorLine(text, device.name);
      const reason = agentError?.message ?? `exited with ${exited.signal ?? `code ${exited.exitCode}`}`;
      // A bad model bundle or Python interpreter is bad input (exit 2) whichever process found it; anything else is a failed run.
      const isBundleError = agentError?.code.startsWith('bundle-') === true;
      const isInterpreterError = agentError !== undefined && PYTHON_SETUP_ERRORS.test(agentError.code);
      throw new LoopbackError('agent-start-failed', `device ${device.name}: agent on ${device.host}:${device.port} failed to start: ${reason}`, {
        device: device.name,
        exitCode: isBundleError || isInterpreterError ? EXIT_BAD_INPUT : undefined,
        hint: reason.includes('in use')
          ? `free port ${device.port} (is 'wdmoe loopback up' still running for this testbed? then 'wdmoe loopback down <testbed>') or change the device's port in the testbed`
          : isBundleError
            ? `re-export the bundle (scripts/export_bundle.py) or restore it from git: git checkout -- models/ (agent log: ${log})`
            : isInterpreterError
              ? `name a Python ≥ 3.8 with torch (or onnxruntime), numpy and onnx: \`python:\` for ${device.name} (or defaults.python) in the testbed, else $WDMOE_PYTHON (agent log: ${log})`
              : `see the agent log: ${log}`,
      });
    }
    await sleep(READY_POLL_MS, signal);
  }
  throw new LoopbackError('agent-start-timeout', `device ${device.name}: agent did not become ready within ${timeoutMs} ms`, {
    device: device.name,
    hint: `see the agent log: ${log}`,
  });
}

// True when every agent recorded in a state file is alive.
export function areAgentsAlive(devices: readonly LoopbackAgentState[]): boolean {
  return devices.length > 0 && devices.every((device) => isOurAgent(device.pid, device.name));
}
