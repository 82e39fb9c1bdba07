// What a device pays to start `wdmoe agent` through its lean entry (bin/wdmoe → dist/cli/agent-main.js) against
// the full command line (dist/cli/main.js, which loads every command): time from spawn to the agent's ready
// line and its resident memory once ready, holding every expert of the bundled model. Runs alternate, median of
// 5 each; the agents listen on 127.0.0.1 (port 0) and are killed at once. Called by perf/main.ts only.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_MODEL_DIR, REPO_ROOT } from './testbed.js';
import { median } from './stats.js';
import { hasReadyLine } from '../agent/index.js';

export interface AgentEntryFigure {
  runs: number;
  leanReadyMs: number;
  fullReadyMs: number;
  leanRssBytes: number | null; // null where /proc is missing
  fullRssBytes: number | null;
  readyRatio: number; // lean ÷ full
  rssRatio: number | null;
}

const RUNS = 5;
const READY_TIMEOUT_MS = 30_000;
const ENTRIES = {
  lean: path.join(REPO_ROOT, 'bin/wdmoe'),
  full: path.join(REPO_ROOT, 'dist/cli/main.js'),
} as const;

function rssOf(pid: number): number | null {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

// One agent start through `entry`: ms to its ready line and RSS at that moment; the agent is killed before it resolves.
function startOnce(entry: string, signal: AbortSignal): Promise<{ readyMs: number; rssBytes: number | null }> {
  return new Promise((resolve, reject) => {
    const startMs = performance.now();
    const child = spawn(process.execPath, [entry, 'agent', '--model', DEFAULT_MODEL_DIR, '--device', 'perf-entry', '--port', '0', '--parent-pid', String(process.pid)], {
      env: { ...process.env, WDMOE_TOKEN: 'perf-entry-token' },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
    });
    let out = '';
    let err = '';
    let ready: { readyMs: number; rssBytes: number | null } | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`agent through ${path.relative(REPO_ROOT, entry)} not ready within ${READY_TIMEOUT_MS} ms: ${err.trim().slice(-300)}`));
    }, READY_TIMEOUT_MS);
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (ready !== undefined || !hasReadyLine(out)) return;
      ready = { readyMs: performance.now() - startMs, rssBytes: rssOf(child.pid!) };
      clearTimeout(timer);
      child.kill('SIGKILL');
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // Killed once ready: resolve. Gone before it (any exit code or signal): the agent's own words.
    child.once('exit', (code, killedBy) => {
      clearTimeout(timer);
      if (ready !== undefined) resolve(ready);
      else reject(new Error(`agent through ${path.relative(REPO_ROOT, entry)} exited with ${killedBy ?? `code ${code}`} before it was ready: ${err.trim().slice(-300)}`));
    });
  });
}

export async function measureAgentEntry(signal: AbortSignal): Promise<AgentEntryFigure> {
  const lean: Array<{ readyMs: number; rssBytes: number | null }> = [];
  const full: Array<{ readyMs: number; rssBytes: number | null }> = [];
  for (let run = 0; run < RUNS; run++) {
    lean.push(await startOnce(ENTRIES.lean, signal));
    full.push(await startOnce(ENTRIES.full, signal));
  }
  const rss = (runs: typeof lean) => (runs.some((r) => r.rssBytes === null) ? null : median(runs.map((r) => r.rssBytes!)));
  const leanReadyMs = median(lean.map((r) => r.readyMs));
  const fullReadyMs = median(full.map((r) => r.readyMs));
  const leanRssBytes = rss(lean);
  const fullRssBytes = rss(full);
  return {
    runs: RUNS, leanReadyMs, fullReadyMs, leanRssBytes, fullRssBytes,
    readyRatio: leanReadyMs / fullReadyMs,
    rssRatio: leanRssBytes === null || fullRssBytes === null ? null : leanRssBytes / fullRssBytes,
  };
}
