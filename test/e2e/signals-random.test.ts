// SIGINT at 20 seeded random moments of a bench (startup, agent start, link check, items, summary), each a
// --resume of the run the last one interrupted, through the real bin/wdmoe on a 2-device loopback testbed.
// After each: the agents are gone — by the pids in bench's state file and by a /proc scan for this run's
// agent command lines — the state file is removed, every record file parses, and the final --resume
// completes the run with each item once. Seed: WDMOE_SIGNAL_SEED (default 11), printed on failure.
// Also: a second SIGINT exits at once and still kills the recorded agents; SIGKILL of bench leaves a state
// file that the next start clears.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { SeededRandom } from '../../src/links/index.js';
import { agentMarker, agentPids, hasStackTrace, killAgents, readJsonl, resultKeys, runWdmoe, settleWithin, tempDir, waitForNoAgents, writeTestbed } from './helpers.js';

const SEED = Number(process.env['WDMOE_SIGNAL_SEED'] ?? 11);
const POINTS = 20;
const LIMIT = 24;
const MAX_DELAY_MS = 2500;

interface BenchState { ownerPid: number; devices: Array<{ name: string; pid: number }> }

// bench's own state file (bench-<name>-<hash>.json) in `stateDir`, if there is one.
function readBenchState(stateDir: string): BenchState | undefined {
  const name = existsSync(stateDir) ? readdirSync(stateDir).find((entry) => entry.startsWith('bench-') && entry.endsWith('.json')) : undefined;
  if (name === undefined) return undefined;
  try {
    return JSON.parse(readFileSync(path.join(stateDir, name), 'utf8')) as BenchState;
  } catch {
    return undefined; // replaced while we read it: the next poll sees the new one
  }
}

function isAlive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

// Polls bench's state file until `ms` passed, collecting every agent pid it lists.
async function watchState(stateDir: string, ms: number, pids: Set<number>): Promise<void> {
  const until = Date.now() + ms;
  do {
    for (const device of readBenchState(stateDir)?.devices ?? []) pids.add(device.pid);
    await sleep(Math.min(25, Math.max(0, until - Date.now())));
  } while (Date.now() < until);
}

// Waits (≤ 30 s) until bench's state file lists both agents; returns their pids.
async function recordedAgents(stateDir: string): Promise<Set<number>> {
  const pids = new Set<number>();
  const deadline = Date.now() + 30_000;
  while (pids.size < 2 && Date.now() < deadline) await watchState(stateDir, 25, pids);
  assert.equal(pids.size, 2, 'bench recorded both agents in its state file');
  return pids;
}

async function setup() {
  const temp = tempDir();
  const testbed = await writeTestbed(temp.dir, { devices: 2, link: '{ uplink: { rate: 50mbit, delay: 2ms }, downlink: { rate: 50mbit, delay: 2ms } }' });
  const stateDir = path.join(temp.dir, 'state');
  const out = path.join(temp.dir, 'run');
  const args = ['bench', testbed.file, '--dataset', 'add', '--limit', String(LIMIT), '--out', out, '--resume'];
  return { temp, testbed, stateDir, out, args, marker: agentMarker(testbed.names), env: { NO_COLOR: '1', WDMOE_STATE_DIR: stateDir } };
}

test(`SIGINT at ${POINTS} random points of bench (seed ${SEED}) leaves no agent, no state file and no torn record; --resume then completes`, { timeout: 300_000 }, async () => {
  const { temp, stateDir, out, args, marker, env } = await setup();
  const random = new SeededRandom(SEED);
  try {
    for (let point = 0; point < POINTS; point++) {
      const delayMs = Math.round(random.next() * MAX_DELAY_MS);
      const where = `seed ${SEED}, point ${point}: SIGINT ${delayMs} ms after start`;
      const bench = runWdmoe(args, { env, timeout: 60_000 });
      const pids = new Set<number>();
      await watchState(stateDir, delayMs, pids);
      bench.kill('SIGINT');
      const result = await settleWithin(bench, 15_000, `bench (${where})`);
      const stderr = String(result.stderr);
      // Before Node has even evaluated cli/signals.ts, SIGINT's default action ends the process (nothing exists yet).
      const isBeforeHandlers = result.signal === 'SIGINT';
      assert.ok(result.exitCode === 130 || result.exitCode === 0 || isBeforeHandlers, `${where}: exit ${result.exitCode}\n${stderr}`);
      assert.ok(!hasStackTrace(stderr), `${where}: ${stderr}`);
      if (result.exitCode === 130) assert.match(stderr, /^error\[interrupted\]: interrupted by SIGINT$/m, where);
      for (const pid of pids) assert.equal(isAlive(pid), false, `${where}: agent pid ${pid} from the state file still runs`);
      assert.deepEqual(agentPids(marker), [], `${where}: an agent of this run is still in /proc`);
      assert.equal(readBenchState(stateDir), undefined, `${where}: bench's state file was left behind`);
      for (const file of ['results.jsonl', 'scores.jsonl', 'layers.jsonl']) {
        if (existsSync(path.join(out, file))) assert.doesNotThrow(() => readJsonl(path.join(out, file)), `${where}: ${file} has a torn line`);
      }
      for (const file of ['run.json', 'summary.json', 'policies.json']) {
        if (existsSync(path.join(out, file))) assert.doesNotThrow(() => JSON.parse(readFileSync(path.join(out, file), 'utf8')), `${where}: ${file} is half-written`);
      }
      if (existsSync(path.join(out, 'results.jsonl'))) {
        const keys = resultKeys(readJsonl(path.join(out, 'results.jsonl')));
        assert.equal(new Set(keys).size, keys.length, `${where}: an item recorded twice`);
      }
    }
    const final = await runWdmoe([...args, '--json'], { env, timeout: 120_000 });
    assert.equal(final.exitCode, 0, String(final.stderr));
    const keys = resultKeys(readJsonl(path.join(out, 'results.jsonl')));
    assert.equal(keys.length, LIMIT, 'every item once after the final --resume');
    assert.equal(new Set(keys).size, LIMIT);
    assert.equal((JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as { groups: Array<{ n: number }> }).groups[0]?.n, LIMIT);
    assert.deepEqual(await waitForNoAgents(marker, 3000), []);
  } finally {
    killAgents(marker);
    temp.dispose();
  }
});

test('a second SIGINT exits at once and still kills the agents by the pids in the state file', { timeout: 60_000 }, async () => {
  const { temp, stateDir, args, marker, env } = await setup();
  try {
    const bench = runWdmoe(args, { env, timeout: 60_000 });
    const pids = await recordedAgents(stateDir);
    // Stopped agents cannot act on the SIGTERM of bench's orderly teardown, so bench is still waiting for them
    // (up to 3 s) when the second SIGINT comes: without this the first one's teardown could finish first and the
    // second would test nothing. SIGKILL, which the forced exit sends, ends stopped processes too.
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    bench.kill('SIGINT');
    await sleep(300);
    assert.equal(bench.exitCode, null, 'bench still waits for the stopped agents after the first SIGINT');
    bench.kill('SIGINT');
    const result = await settleWithin(bench, 3000, 'bench after two SIGINTs');
    assert.equal(result.exitCode, 130, String(result.stderr));
    assert.match(String(result.stderr), /SIGINT again: exiting now/);
    // The exit fallback SIGKILLs them: gone well before their own parent watch (500 ms poll) would notice.
    const left = [...pids].filter(isAlive);
    await sleep(200);
    assert.deepEqual([...pids].filter(isAlive), [], `agents ${left.join(', ')} outlived the forced exit`);
    assert.deepEqual(agentPids(marker), []);
  } finally {
    killAgents(marker);
    temp.dispose();
  }
});

test('after SIGKILL of bench, agents that outlived it are found through its state file and stopped by the next start', { timeout: 90_000 }, async () => {
  const { temp, stateDir, out, args, marker, env } = await setup();
  try {
    const bench = runWdmoe(args, { env, timeout: 60_000 });
    const pids = await recordedAgents(stateDir);
    bench.kill('SIGKILL');
    // Frozen at once, the agents cannot notice their parent is gone: they stand for agents a crash left running.
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    await settleWithin(bench, 5000, 'bench after SIGKILL');
    assert.notEqual(readBenchState(stateDir), undefined, 'the state file survives the crash');
    assert.deepEqual([...pids].filter(isAlive).length, 2);

    const next = await runWdmoe([...args.map((arg) => (arg === String(LIMIT) ? '2' : arg)), '--no-link-check'], { env, timeout: 60_000 });
    assert.equal(next.exitCode, 0, String(next.stderr));
    assert.match(String(next.stderr), /warning: wdmoe pid \d+ ended without cleaning up \(killed\?\): stopped its agent\(s\) \S+-[01], \S+-[01]/);
    assert.deepEqual([...pids].filter(isAlive), [], 'the frozen agents are stopped by pid');
    assert.equal(readBenchState(stateDir), undefined);
    assert.equal(readJsonl(path.join(out, 'results.jsonl')).length, 2);
    assert.deepEqual(await waitForNoAgents(marker, 3000), []);
  } finally {
    killAgents(marker);
    temp.dispose();
  }
});
