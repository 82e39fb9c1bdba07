// `wdmoe loopback up|down`: start or stop the testbed's agents as local processes, recorded in a
// state file. `up` is idempotent (agents already up are kept) and first clears stale state.
// Bench calls `ensureLoopbackAgents` to reuse running agents or start its own for the run.
import path from 'node:path';
import { TeardownStack } from '../core/index.js';
import type { Testbed } from '../testbed/index.js';
import { LoopbackError } from './errors.js';
import { areAgentsAlive, expertsOfDevice, startAgents } from './start-agents.js';
import { agentsFingerprint, readState, removeState, stateFilePath, writeState, type LoopbackAgentState, type LoopbackState } from './state.js';
import { stopAgent } from './stop-agents.js';

export interface LoopbackOptions {
  testbed: Testbed;
  stateDir: string;
  readyTimeoutMs?: number;
  signal?: AbortSignal;
  onEvent?: (event: { kind: 'agent-started'; device: string; pid: number; port: number }) => void;
}

export interface LoopbackUpResult {
  alreadyUp: boolean;
  stateFile: string;
  devices: Array<{ name: string; host: string; port: number; pid: number }>;
}

const LOCAL_HOSTS = /^(127\.\d+\.\d+\.\d+|localhost|::1)$/i;
const DEFAULT_READY_TIMEOUT_MS = 60_000;

// Refuses testbeds whose devices are not on this machine: loopback emulates them locally.
export function assertLocalTestbed(testbed: Testbed): void {
  for (const device of testbed.devices) {
    if (!LOCAL_HOSTS.test(device.host)) {
      throw new LoopbackError('loopback-not-local', `device ${device.name}: host ${device.host} is not on this machine`, {
        device: device.name,
        exitCode: 2,
        hint: 'loopback runs agents on 127.0.0.1 (or ::1); for remote devices use `mode: ssh` and start `wdmoe agent` on each device',
      });
    }
  }
}

// Starts detached agents for every device and records them; returns the running set.
export async function loopbackUp(options: LoopbackOptions): Promise<LoopbackUpResult> {
  const { testbed } = options;
  assertLocalTestbed(testbed);
  const stateFile = stateFilePath(options.stateDir, testbed.file, testbed.name);
  const existing = await readState(stateFile);
  const fingerprint = agentsFingerprint(testbed, (device) => expertsOfDevice(testbed, device));
  if (existing !== undefined) {
    if (isReusable(existing, testbed, fingerprint)) {
      return { alreadyUp: true, stateFile, devices: existing.devices.map(publicView) };
    }
    // Stale (dead agents) or started for another bundle, token or placement: replace them.
    await stopRecordedOrThrow(existing.devices, stateFile);
    await removeState(stateFile);
  }
  const teardown = new TeardownStack();
  try {
    const devices = await startAgents({
      testbed,
      logDir: path.join(options.stateDir, 'logs', path.basename(stateFile, '.json')),
      detached: true,
      readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      teardown,
      signal: options.signal,
      onEvent: options.onEvent,
    });
    await writeState(stateFile, { formatVersion: 1, testbed: path.resolve(testbed.file), fingerprint, startedAt: new Date().toISOString(), devices });
    return { alreadyUp: false, stateFile, devices: devices.map(publicView) };
  } catch (error) {
    await teardown.dispose();
    throw error;
  }
}

// Stops the agents recorded for the testbed and removes the state file.
export async function loopbackDown(options: Pick<LoopbackOptions, 'testbed' | 'stateDir'>): Promise<{ stateFile: string; stopped: string[] }> {
  const stateFile = stateFilePath(options.stateDir, options.testbed.file, options.testbed.name);
  const existing = await readState(stateFile);
  if (existing === undefined) return { stateFile, stopped: [] };
  const stopped = await stopRecordedOrThrow(existing.devices, stateFile);
  await removeState(stateFile);
  return { stateFile, stopped };
}

// For bench: the agents already up for this testbed, or new child agents owned by `teardown`.
export async function ensureLoopbackAgents(options: LoopbackOptions & { teardown: TeardownStack; runDir: string }): Promise<{ started: boolean; devices: LoopbackAgentState[] }> {
  const { testbed } = options;
  assertLocalTestbed(testbed);
  const existing = await readState(stateFilePath(options.stateDir, testbed.file, testbed.name));
  if (existing !== undefined && areAgentsAlive(existing.devices)) {
    if (isReusable(existing, testbed, agentsFingerprint(testbed, (device) => expertsOfDevice(testbed, device)))) return { started: false, devices: existing.devices };
    throw new LoopbackError('loopback-stale', `the loopback agents running for ${testbed.name} were started with another model bundle, token or placement`, {
      hint: `restart them: wdmoe loopback down ${testbed.file} (then bench starts its own, or run wdmoe loopback up ${testbed.file})`,
    });
  }
  const devices = await startAgents({
    testbed,
    logDir: path.join(options.runDir, 'agents'),
    detached: false,
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    teardown: options.teardown,
    signal: options.signal,
    onEvent: options.onEvent,
  });
  return { started: true, devices };
}

// Stops every recorded agent; throws (keeping the state file) if one survives SIGKILL.
async function stopRecordedOrThrow(devices: readonly LoopbackAgentState[], stateFile: string): Promise<string[]> {
  const outcomes = await Promise.all(devices.map(async (device) => ({ device, outcome: await stopAgent(device, 3000) })));
  const survivor = outcomes.find((entry) => entry.outcome === 'survived');
  if (survivor !== undefined) {
    throw new LoopbackError('loopback-stop-failed', `device ${survivor.device.name}: agent pid ${survivor.device.pid} did not exit after SIGKILL`, {
      device: survivor.device.name,
      hint: `check the process (ps -p ${survivor.device.pid}); the state stays in ${stateFile}`,
    });
  }
  return outcomes.filter((entry) => entry.outcome === 'stopped').map((entry) => entry.device.name);
}

// Running agents can serve this testbed as it is now: alive, same devices, same bundle/token/experts.
function isReusable(state: LoopbackState, testbed: Testbed, fingerprint: string): boolean {
  return areAgentsAlive(state.devices) && sameDevices(state.devices, testbed) && state.fingerprint === fingerprint;
}

function sameDevices(recorded: readonly LoopbackAgentState[], testbed: Testbed): boolean {
  return (
    recorded.length === testbed.devices.length &&
    testbed.devices.every((device) => recorded.some((r) => r.name === device.name && r.port === device.port && r.host === device.host))
  );
}

function publicView(device: LoopbackAgentState) {
  return { name: device.name, host: device.host, port: device.port, pid: device.pid };
}
