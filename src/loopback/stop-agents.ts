// Stops agent processes by recorded pid: SIGTERM, wait, then SIGKILL. Never by name.
import { readFileSync } from 'node:fs';
import { sleep } from '../core/index.js';
import { isOurAgent } from './state.js';

// Stops one agent; resolves once it is gone (or was never ours). Bounded by `graceMs` + 1 s.
export async function stopAgent(agent: { name: string; pid: number }, graceMs: number): Promise<'stopped' | 'gone' | 'survived'> {
  if (!isOurAgent(agent.pid, agent.name)) return 'gone';
  signal(agent.pid, 'SIGTERM');
  const deadline = performance.now() + graceMs;
  while (performance.now() < deadline) {
    if (!isAlive(agent.pid)) return 'stopped';
    await sleep(25);
  }
  signal(agent.pid, 'SIGKILL');
  for (let i = 0; i < 40 && isAlive(agent.pid); i++) await sleep(25);
  return isAlive(agent.pid) ? 'survived' : 'stopped';
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped by its parent) counts as gone.
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return !/^State:\s+Z/m.test(status);
  } catch {
    return true;
  }
}

