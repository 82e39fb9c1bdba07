import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { clearLeftovers } from '../../src/loopback/leftovers.js';
import { writeState, type LoopbackState } from '../../src/loopback/state.js';

// A process whose command line looks like `… agent --device <name>` (what isOurAgent checks), idle forever.
function fakeAgent(name: string): ResultPromise {
  return execa(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'agent', '--device', name], { reject: false });
}

function isAlive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

function stateWith(ownerPid: number | undefined, agents: ResultPromise[], names: string[]): LoopbackState {
  return {
    formatVersion: 1, testbed: '/t/testbed.yaml', startedAt: new Date().toISOString(), ...(ownerPid === undefined ? {} : { ownerPid }),
    devices: agents.map((agent, index) => ({ name: names[index]!, host: '127.0.0.1', port: 7000 + index, pid: agent.pid!, log: '/dev/null' })),
  };
}

test('clearLeftovers stops the recorded agents of a dead owner by pid and removes the file; a live owner is refused; an ownerless file is left alone', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wdmoe-leftovers-'));
  const names = ['left-a', 'left-b'];
  const agents = names.map(fakeAgent);
  const bystander = fakeAgent('someone-else');
  try {
    const file = path.join(dir, 'bench-x.json');
    const deadOwner = execa(process.execPath, ['-e', '0']);
    await deadOwner;
    writeState(file, stateWith(deadOwner.pid, agents, names));
    const cleared = await clearLeftovers(file, 'the agents of a bench run');
    assert.deepEqual(cleared, { ownerPid: deadOwner.pid, stopped: names });
    assert.equal(existsSync(file), false);
    await Promise.all(agents);
    assert.deepEqual(agents.map((agent) => isAlive(agent.pid!)), [false, false]);
    assert.equal(isAlive(bystander.pid!), true, 'a process not in the file is never touched');

    // The owner still runs (a process whose command line names wdmoe).
    const owner = execa(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'wdmoe', 'bench'], { reject: false });
    writeState(file, stateWith(owner.pid, [bystander], ['someone-else']));
    await assert.rejects(clearLeftovers(file, 'the agents of a bench run'), (error: Error & { code?: string }) =>
      error.code === 'loopback-busy' && /the agents of a bench run for testbed \/t\/testbed\.yaml already belong to a running wdmoe \(pid \d+\)/.test(error.message));
    assert.equal(isAlive(bystander.pid!), true);
    owner.kill('SIGKILL');
    await owner;

    writeState(file, stateWith(undefined, [bystander], ['someone-else'])); // a finished `loopback up`
    assert.equal(await clearLeftovers(file, 'the loopback agents'), undefined);
    assert.equal(existsSync(file), true);
    assert.equal(isAlive(bystander.pid!), true);
  } finally {
    for (const agent of [...agents, bystander]) agent.kill('SIGKILL');
    await Promise.all([...agents, bystander]);
    rmSync(dir, { recursive: true, force: true });
  }
});
