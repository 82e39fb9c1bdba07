// `wdmoe loopback up|down`: start or stop the testbed's agents as local processes, recorded in a
// state file the moment each is spawned. `up` is idempotent (agents already up are kept) and first clears
// stale state and what a crashed `up` or bench left. Bench calls `ensureLoopbackAgents` to reuse running
// agents or start its own for the run (recorded in the bench state file until the run ends).
import path from 'node:path';
import { TeardownStack } from '../core/index.js';
import type { Testbed } from '../testbed/index.js';
import { LoopbackError } from './errors.js';
import { areAgentsAlive, expertsOfDevice, startAgents } from './start-agents.js';
import { clearLeftovers, type Leftovers } from './leftovers.js';
import { agentsFingerprint, readState, removeState, stateFilePath, writeState, type LoopbackAgentState, type LoopbackState } from './state.js';
import { stopAgent } from './stop-agents.js';

export interface LoopbackOptions {
  testbed: Testbed;
  stateDir: string;
  readyTimeoutMs?: number;
  signal?: AbortSignal;
  onEvent?: (event: LoopbackEvent) => void;
}

// What starting agents reports: an agent up, or a warning (leftovers of a crashed run removed).
export type LoopbackEvent = { kind: 'agent-started'; device: string; pid: number; port: number } | { kind: 'warning'; message: string };

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
  reportLeftovers(await clearLeftovers(stateFile, 'the loopback agents'), options.onEvent);
  reportLeftovers(await clearLeftovers(stateFilePath(options.stateDir, testbed.file, testbed.name, 'bench'), 'the agents of a bench run'), options.onEvent);
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
  // Owned by this process until every agent is ready: a crash before that leaves a file the next start clears.
  const state: LoopbackState = { formatVersion: 1, testbed: path.resolve(testbed.file), fingerprint, startedAt: new Date().toISOString(), ownerPid: process.pid, devices: [] };
  writeState(stateFile, state);
  teardown.defer('loopback state file', () => removeState(stateFile));
  try {
    const devices = await startAgents({
      testbed,
      logDir: path.join(options.stateDir, 'logs', path.basename(stateFile, '.json')),
      detached: true,
      readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
      teardown,
      onSpawned: (agent) => writeState(stateFile, { ...state, devices: (state.devices = [...state.devices, agent]) }),
      signal: options.signal,
      onEvent: options.onEvent,
    });
    const { ownerPid: _ownerPid, ...up } = state;
    writeState(stateFile, { ...up, devices });
    teardown.release(); // the agents now belong to the state file
    return { alreadyUp: false, stateFile, devices: devices.map(publicView) };
  } catch (error) {
    await teardown.dispose();
    throw error;
  }
}

// Stops the agents recorded for the testbed and removes the state file.
export async function loopbackDown(options: Pick<LoopbackOptions, 'testbed' | 'stateDir'>): Promise<{ stateFile: string; stopped: string[] }> {
  const stateFile = stateFilePath(options.stateDir, options.testbed.file, options.testbed.name);
  // Agents a killed bench left behind go too; a bench still running keeps its own.
  const benchLeft = await clearLeftovers(stateFilePath(options.stateDir, options.testbed.file, options.testbed.name, 'bench'), 'the agents of a bench run').catch((error: unknown) => {
    if ((error as { code?: string }).code === 'loopback-busy') return undefined;
    throw error;
  });
  const existing = await readState(stateFile);
  if (existing === undefined) return { stateFile, stopped: [...(benchLeft?.stopped ?? [])] };
  const stopped = await stopRecordedOrThrow(existing.devices, stateFile);
  await removeState(stateFile);
  return { stateFile, stopped: [...new Set([...(benchLeft?.stopped ?? []), ...stopped])] };
}

// For bench: the agents already up for this testbed, or new child agents owned by `teardown`.
export async function ensureLoopbackAgents(options: LoopbackOptions & { teardown: TeardownStack; runDir: string }): Promise<{ started: boolean; devices: LoopbackAgentState[] }> {
  const { testbed } = options;
  assertLocalTestbed(testbed);
  const loopbackState = stateFilePath(options.stateDir, testbed.file, testbed.name);
  const benchState = stateFilePath(options.stateDir, testbed.file, testbed.name, 'bench');
  reportLeftovers(await clearLeftovers(loopbackState, 'the loopback agents'), options.onEvent);
  reportLeftovers(await clearLeftovers(benchState, 'the agents of a bench run'), options.onEvent);
  const existing = await readState(loopbackState);
  if (existing !== undefined && areAgentsAlive(existing.devices)) {
    if (isReusable(existing, testbed, agentsFingerprint(testbed, (device) => expertsOfDevice(testbed, device)))) return { started: false, devices: existing.devices };
    throw new LoopbackError('loopback-stale', `the loopback agents running for ${testbed.name} were started with another model bundle, token or placement`, {
      hint: `restart them: wdmoe loopback down ${testbed.file} (then bench starts its own, or run wdmoe loopback up ${testbed.file})`,
    });
  }
  // Removed last (LIFO), after every agent it lists is stopped.
  const state: LoopbackState = { formatVersion: 1, testbed: path.resolve(testbed.file), startedAt: new Date().toISOString(), ownerPid: process.pid, devices: [] };
  writeState(benchState, state);
  options.teardown.defer('bench agents state file', () => removeState(benchState));
  const devices = await startAgents({
    testbed,
    logDir: path.join(options.runDir, 'agents'),
    detached: false,
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    teardown: options.teardown,
    onSpawned: (agent) => writeState(benchState, { ...state, devices: (state.devices = [...state.devices, agent]) }),
    signal: options.signal,
    onEvent: options.onEvent,
  });
  return { started: true, devices };
}

function reportLeftovers(leftovers: Leftovers | undefined, onEvent: LoopbackOptions['onEvent']): void {
  if (leftovers === undefined) return;
  const stopped = leftovers.stopped.length === 0 ? 'none of its agents was still running' : `stopped its agent(s) ${leftovers.stopped.join(', ')}`;
  onEvent?.({ kind: 'warning', message: `wdmoe pid ${leftovers.ownerPid} ended without cleaning up (killed?): ${stopped}` });
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
