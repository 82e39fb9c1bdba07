// [slow, root] SIGINT at seeded random moments of `loopback up --netns` (2 devices) and once mid-setup,
// through the real bin/wdmoe, then two SIGINTs mid-setup (forced exit): each time no namespace, veth, ifb
// or qdisc of ours is left (the run ids read from our state file, the probe namespace of our `up` pids;
// other testbeds' runs on this machine are not judged), no sshd started with a config from this test's
// state folder runs, and the state file is gone; then a whole up → down works.
// Run it under `flock /tmp/wdmoe-netns.lock` like netns.test.ts. Seed: WDMOE_SIGNAL_SEED (default 11).
// Skipped, visibly, without root or sshd.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { SeededRandom } from '../../src/links/index.js';
import { MODEL_DIR, hasStackTrace, runWdmoe, settleWithin, tempDir } from './helpers.js';

const isRoot = process.getuid?.() === 0;
const SKIP = !isRoot ? 'needs root (network namespaces, tc, sshd): SKIPPED, not passed'
  : !existsSync('/usr/sbin/sshd') ? 'needs openssh-server (/usr/sbin/sshd): SKIPPED, not passed'
    : false;
if (SKIP !== false) process.stderr.write(`test/e2e/signals-netns.test.ts: ${SKIP}\n`);

const SEED = Number(process.env['WDMOE_SIGNAL_SEED'] ?? 11);
const POINTS = 4;
const MAX_DELAY_MS = 4000;

// What the kernel holds of the runs `runs` (4-hex run ids from our state file) and of the tc probe of the
// `up` processes `pids`: namespaces, host veths and ifbs, and the qdiscs on them. Other helpers' objects
// (another testbed's run on this machine) are not ours to judge.
function kernelObjects(runs: ReadonlySet<string>, pids: ReadonlySet<number>): { namespaces: string[]; links: string[]; qdiscs: string[] } {
  const read = (file: string, args: string[]) => execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const isOurs = (name: string) => [...runs].some((run) => name.startsWith(`wdmoe-${run}-`) || new RegExp(`^wd${run}[hi]\\d+$`).test(name)) || [...pids].some((pid) => name === `wdmoe-probe-${pid}`);
  const namespaces = read('ip', ['netns', 'list']).split('\n').map((line) => line.split(' ')[0]!).filter(isOurs);
  const links = read('ip', ['-o', 'link', 'show']).split('\n').map((line) => /^\d+: ([^:@]+)/.exec(line)?.[1] ?? '').filter(isOurs);
  const qdiscs = read('tc', ['qdisc', 'show']).split('\n').filter((line) => isOurs(/ dev (\S+) /.exec(line)?.[1] ?? ''));
  return { namespaces, links, qdiscs };
}

// Live sshd processes started with a config file under `dir`.
function sshdsUnder(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (/^State:\s+Z/m.test(readFileSync(`/proc/${entry}/status`, 'utf8'))) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) pids.push(Number(entry));
    } catch {
      // ended while we looked
    }
  }
  return pids;
}


test(`SIGINT at ${POINTS} random points of loopback up --netns (seed ${SEED}), then a forced second SIGINT, leave no namespace, veth, qdisc or sshd [slow]`, { skip: SKIP, timeout: 240_000 }, async (t) => {
  const temp = tempDir('wdmoe-netns-sig-');
  const stateDir = path.join(temp.dir, 'state');
  const env = { WDMOE_STATE_DIR: stateDir, NO_COLOR: '1' };
  const source = path.join(temp.dir, 'testbed.yaml');
  writeFileSync(source, [
    'name: netns-signals', 'mode: loopback', `model: ${MODEL_DIR}`, 'auth:', '  token: netns-signals-token-0123456789ab', 'shaping: userspace',
    'defaults:', '  link: { uplink: { rate: 20mbit }, downlink: { rate: 20mbit } }',
    'devices:', '  - { name: nss-0, host: 127.0.0.1, port: 47410 }', '  - { name: nss-1, host: 127.0.0.1, port: 47411 }',
    'placement: round-robin', 'timeouts:', '  connect: 10s', '  request: 20s', '',
  ].join('\n'));
  const runs = new Set<string>();
  const pids = new Set<number>();
  const netnsStateFiles = () => (existsSync(stateDir) ? readdirSync(stateDir).filter((name) => name.startsWith('netns-') || name.startsWith('tc-')) : []);
  // Learns the run id from our state file (written before the first namespace exists).
  const noteRuns = () => {
    for (const name of netnsStateFiles().filter((file) => file.startsWith('netns-'))) {
      try {
        runs.add((JSON.parse(readFileSync(path.join(stateDir, name), 'utf8')) as { run: string }).run);
      } catch {
        // being replaced: the next poll reads it
      }
    }
  };
  const ourNamespaces = () => {
    noteRuns();
    return kernelObjects(runs, pids).namespaces.filter((name) => !name.startsWith('wdmoe-probe-'));
  };
  const waitMs = async (ms: number) => {
    const until = Date.now() + ms;
    do {
      noteRuns();
      await new Promise((resolve) => setTimeout(resolve, 20));
    } while (Date.now() < until);
  };
  const assertNothingLeft = (where: string) => {
    const now = kernelObjects(runs, pids);
    assert.deepEqual(now.namespaces, [], `${where}: namespaces left`);
    assert.deepEqual(now.links, [], `${where}: veth/ifb left`);
    assert.deepEqual(now.qdiscs, [], `${where}: qdiscs left`);
    assert.deepEqual(sshdsUnder(temp.dir), [], `${where}: sshd left`);
  };
  const random = new SeededRandom(SEED);
  try {
    for (let point = 0; point <= POINTS; point++) {
      const isForced = point === POINTS;
      const isMidSetup = point >= POINTS - 1; // the last random point and the forced one: once the first namespace exists
      const delayMs = Math.round(random.next() * MAX_DELAY_MS);
      const where = `seed ${SEED}, point ${point}: ${isForced ? 'two SIGINTs' : 'SIGINT'} ${isMidSetup ? 'once the first namespace exists' : `${delayMs} ms after start`}`;
      const up = runWdmoe(['loopback', 'up', '--netns', source, '--json'], { env, timeout: 60_000 });
      pids.add(up.pid!);
      if (isMidSetup) {
        const deadline = Date.now() + 20_000;
        while (ourNamespaces().length === 0 && Date.now() < deadline) await waitMs(20);
      } else {
        await waitMs(delayMs);
      }
      const atSignal = ourNamespaces().length;
      up.kill('SIGINT');
      if (isForced) {
        await new Promise((resolve) => setTimeout(resolve, 30));
        up.kill('SIGINT');
      }
      const result = await settleWithin(up, isForced ? 10_000 : 30_000, `loopback up (${where})`);
      noteRuns();
      const stderr = String(result.stderr);
      assert.ok(!hasStackTrace(stderr), `${where}: ${stderr}`);
      if (result.exitCode === 0) {
        // Finished before the signal: it is simply up; down removes it.
        const down = await runWdmoe(['loopback', 'down', '--netns', source], { env, timeout: 60_000 });
        assert.equal(down.exitCode, 0, `${where}: ${String(down.stderr)}`);
      } else {
        assert.ok(result.exitCode === 130 || result.signal === 'SIGINT', `${where}: exit ${result.exitCode}\n${stderr}`);
      }
      assertNothingLeft(where);
      assert.deepEqual(netnsStateFiles(), [], `${where}: state file left`);
      t.diagnostic(`${where}: ${atSignal} namespace(s) existed at the signal; exit ${result.exitCode ?? result.signal}`);
    }
    const up = await runWdmoe(['loopback', 'up', '--netns', source, '--json'], { env, timeout: 60_000 });
    assert.equal(up.exitCode, 0, String(up.stderr));
    assert.equal(ourNamespaces().length, 2);
    const down = await runWdmoe(['loopback', 'down', '--netns', source], { env, timeout: 60_000 });
    assert.equal(down.exitCode, 0, String(down.stderr));
    assertNothingLeft('after a whole up → down');
  } finally {
    await runWdmoe(['loopback', 'down', '--netns', source], { env, timeout: 60_000 });
    temp.dispose();
  }
});
