// Finds and removes what a crashed wdmoe left in a loopback state file: agents recorded by a bench or a
// `loopback up` that died before it could stop them (SIGKILL, power loss, a second Ctrl-C mid-unwind).
// Recorded pids only, each checked against /proc before it is signalled. Called by up.ts at the start of
// `loopback up` and of bench (through ensureLoopbackAgents).
import { LoopbackError } from './errors.js';
import { isOwnerAlive, readState, removeState } from './state.js';
import { stopAgent } from './stop-agents.js';

export interface Leftovers {
  readonly ownerPid: number;
  readonly stopped: readonly string[]; // devices whose agent was still running and is now stopped
}

// Stops the agents of `stateFile` if its owner is gone and removes the file; undefined when the file is
// absent or has no owner (a finished `loopback up`). Throws when the owner is a live wdmoe process.
export async function clearLeftovers(stateFile: string, what: string): Promise<Leftovers | undefined> {
  const state = await readState(stateFile);
  if (state?.ownerPid === undefined) return undefined;
  if (isOwnerAlive(state)) {
    throw new LoopbackError('loopback-busy', `${what} for testbed ${state.testbed} already belong to a running wdmoe (pid ${state.ownerPid})`, {
      hint: `wait for it to finish or stop it (kill -INT ${state.ownerPid}); its agents are listed in ${stateFile}`,
    });
  }
  const outcomes = await Promise.all(state.devices.map(async (device) => ({ device, outcome: await stopAgent(device, 2000) })));
  const survivor = outcomes.find((entry) => entry.outcome === 'survived');
  if (survivor !== undefined) {
    throw new LoopbackError('loopback-stop-failed', `device ${survivor.device.name}: agent pid ${survivor.device.pid} left by wdmoe pid ${state.ownerPid} did not exit after SIGKILL`, {
      device: survivor.device.name,
      hint: `check the process (ps -p ${survivor.device.pid}); the state stays in ${stateFile}`,
    });
  }
  await removeState(stateFile);
  return { ownerPid: state.ownerPid, stopped: outcomes.filter((entry) => entry.outcome === 'stopped').map((entry) => entry.device.name) };
}
