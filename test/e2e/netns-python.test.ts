// [slow] The Python agent deployed over real SSH, as root: `loopback up --netns` with one `runtime: python`
// device whose `python:` is the .venv interpreter (torch on the CPU; the namespace shares this filesystem)
// → a `python:` that does not exist on the device stops preflight (device, path, fix) → deploy uploads
// python/wdmoe_agent and the device's shards and starts `python -m wdmoe_agent` → a second deploy uploads
// 0 bytes and keeps it → status → the split model's logits through that agent equal golden.json (1e-4)
// → bench → teardown → down; then no namespace, veth, qdisc, agent or sshd is left. Skipped, visibly,
// without root, sshd or the .venv (bash scripts/python-env.sh).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { connectDevices } from '../../src/bench/connect-devices.js';
import { TeardownStack } from '../../src/core/index.js';
import { forwardSequences } from '../../src/bs/index.js';
import { loadBsGraphs } from '../../src/model/index.js';
import { POLICIES } from '../../src/policy/index.js';
import { assertValidTestbed } from '../../src/testbed/index.js';
import { PROTOCOL_VERSION } from '../../src/transport/frame-header.js';
import { loadGoldenCases, maxAbsDiff, sequencesOf } from '../bs/golden.js';
import { MODEL_DIR, agentPids, hasStackTrace, readJsonl, tempDir, waitForNoAgents } from './helpers.js';
import { linksOf, liveProcessesMentioning, namespacesOf, runWdmoeText as runWdmoe, writeVariant } from './netns-helpers.js';
import { VENV_PYTHON } from './python.js';

const isRoot = process.getuid?.() === 0;
const SKIP = !isRoot ? 'needs root (network namespaces, tc, sshd): SKIPPED, not passed'
  : !existsSync('/usr/sbin/sshd') ? 'needs openssh-server (/usr/sbin/sshd): SKIPPED, not passed'
    : !existsSync(VENV_PYTHON) ? `needs the Python test environment (${VENV_PYTHON}; bash scripts/python-env.sh): SKIPPED, not passed` : false;
if (SKIP !== false) process.stderr.write(`test/e2e/netns-python.test.ts: ${SKIP}\n`);

const LIMITS = { timeout: 120_000 } as const;
const MISSING_PYTHON = '/nonexistent/venv/bin/python';

interface DeployJson {
  ms: number;
  uploadedBytes: number;
  devices: Array<{ agent: { state: string; pid: number | null }; plan: { uploadFiles: number; upload: Array<{ path: string; bytes: number }> } }>;
}

describe('the Python agent deployed over real ssh [slow]', { skip: SKIP, timeout: 300_000 }, () => {
  test('a runtime python device with the testbed\'s python: deploy → again (0 bytes) → status → golden logits → bench → teardown → down leaves nothing behind', async (t) => {
    const temp = tempDir('wdmoe-netns-py-');
    const stateDir = path.join(temp.dir, 'state');
    const env = { WDMOE_STATE_DIR: stateDir, NO_COLOR: '1' };
    const device = `py${path.basename(temp.dir).slice(-6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
    const source = path.join(temp.dir, 'testbed.yaml');
    writeFileSync(source, [
      'name: netns-python', 'mode: loopback', `model: ${MODEL_DIR}`, 'auth:', '  token: netns-python-token-0123456789', 'shaping: userspace',
      'defaults:', '  link: { uplink: { rate: 200mbit }, downlink: { rate: 200mbit } }',
      'devices:', `  - { name: ${device}, host: 127.0.0.1, port: 47320, runtime: python, python: ${VENV_PYTHON} }`,
      'placement: round-robin', 'timeouts:', '  connect: 10s', '  request: 30s', '',
    ].join('\n'));
    t.after(async () => {
      await runWdmoe(['loopback', 'down', '--netns', source], { env, ...LIMITS });
      temp.dispose();
    });

    const up = await runWdmoe(['loopback', 'up', '--netns', source, '--json'], { env, ...LIMITS });
    assert.equal(up.exitCode, 0, up.stderr);
    const { derivedTestbed: derived, run } = JSON.parse(up.stdout) as { derivedTestbed: string; run: string };
    const derivedText = readFileSync(derived, 'utf8');
    assert.match(derivedText, /runtime: python/);
    assert.ok(derivedText.includes(`python: ${VENV_PYTHON}`), `the derived testbed keeps the interpreter:\n${derivedText}`);

    // Bad input: a python: the device does not have stops preflight before anything is uploaded.
    const missing = writeVariant(derived, path.join(temp.dir, 'missing-python.yaml'), (text) => text.replace(`python: ${VENV_PYTHON}`, `python: ${MISSING_PYTHON}`));
    const missingRun = await runWdmoe(['deploy', missing, '--json'], { env, ...LIMITS });
    assert.equal(missingRun.exitCode, 1, missingRun.stderr);
    assert.ok(missingRun.stderr.includes(`device ${device}: the testbed's python for this device, "${MISSING_PYTHON}", is not an executable on the device (no such file, or not executable)`), missingRun.stderr);
    assert.match(missingRun.stderr, /fix `python:` for \S+ \(or in defaults\) in the testbed/);
    assert.equal(hasStackTrace(missingRun.stderr), false);
    assert.equal(existsSync(path.join(path.dirname(derived), 'devices', device, 'app')), false, 'nothing uploaded');

    const first = await runWdmoe(['deploy', derived, '--json'], { env, ...LIMITS });
    assert.equal(first.exitCode, 0, first.stderr);
    const firstResult = JSON.parse(first.stdout) as DeployJson;
    const uploaded = firstResult.devices[0]!.plan.upload.map((file) => file.path);
    assert.equal(firstResult.devices[0]!.agent.state, 'started');
    assert.ok(uploaded.includes('app/python/wdmoe_agent/__main__.py'), 'the Python agent is uploaded');
    assert.ok(uploaded.every((file) => file.startsWith('app/python/wdmoe_agent/') || file.startsWith('model/')), `only the Python agent and the model: ${uploaded.filter((file) => !file.startsWith('model/')).slice(0, 5).join(', ')}`);
    assert.equal(uploaded.filter((file) => file.startsWith('model/expert.')).length, 32, 'the one device holds all 32 experts');
    assert.match(first.stderr, new RegExp(`\\[${device}\\] python 3\\.\\d+\\.\\d+, torch \\S+, CUDA no: experts run on the CPU \\(${VENV_PYTHON.replaceAll('.', '\\.')}\\)`));
    const pid = firstResult.devices[0]!.agent.pid!;
    assert.ok(agentPids(device).includes(pid), `the leftover check sees the deployed Python agent (pid ${pid}): ${JSON.stringify(agentPids(device))}`);
    assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '), new RegExp(`^${VENV_PYTHON.replaceAll('.', '\\.')} -m wdmoe_agent `));

    // Nothing changed: 0 bytes, the same agent, and no interpreter start (the facts step is skipped).
    const second = await runWdmoe(['deploy', derived, '--json', '--verbose'], { env, ...LIMITS });
    assert.equal(second.exitCode, 0, second.stderr);
    const pythonLine = derivedText.split('\n').findIndex((line) => line.includes(`python: ${VENV_PYTHON}`)) + 1;
    assert.ok(second.stderr.includes(`[${device}] python ${VENV_PYTHON} from ${derived}:${pythonLine}`), `--verbose says where python came from:\n${second.stderr}`);
    const secondResult = JSON.parse(second.stdout) as DeployJson;
    assert.equal(secondResult.uploadedBytes, 0, JSON.stringify(secondResult.devices[0]!.plan.upload));
    assert.deepEqual(secondResult.devices[0]!.agent, { state: 'running', pid });
    t.diagnostic(`python device over ssh: first deploy ${firstResult.ms} ms (${firstResult.uploadedBytes} B), second ${secondResult.ms} ms (0 B)`);

    const status = await runWdmoe(['status', derived, '--json'], { env, ...LIMITS });
    assert.equal(status.exitCode, 0, status.stderr);
    const [health] = (JSON.parse(status.stdout) as { devices: Array<{ isUp: boolean; protocolVersion: number; experts: number; pid: number }> }).devices;
    assert.deepEqual([health!.isUp, health!.protocolVersion, health!.experts, health!.pid], [true, PROTOCOL_VERSION, 32, pid]);

    // The split model through the ssh-deployed Python agent gives PyTorch's logits (golden.json).
    const { testbed } = await assertValidTestbed(derived);
    const teardown = new TeardownStack();
    try {
      const graphs = await loadBsGraphs(MODEL_DIR, { intraOpThreads: 1 });
      teardown.defer('graphs', () => graphs.release());
      const connected = await connectDevices({ testbed, placement: 'testbed', shaping: 'none', seed: 1, runDir: temp.dir, stateDir, intraOpThreads: 1, teardown });
      for (const golden of loadGoldenCases()) {
        const result = await forwardSequences(
          { graphs, policy: POLICIES.topk.create({}), devices: connected.devices, links: () => ({ timeMs: null, states: connected.linkStatesAt(0) }), expertDevices: connected.expertDevices, deadlineMs: 20_000, random: () => 0.5 },
          sequencesOf(golden),
        );
        const diff = maxAbsDiff(golden, result.logits, result.dims[1], graphs.arch.vocabSize);
        assert.ok(diff < 1e-4, `${golden.name} through the ssh-deployed Python agent: max abs diff ${diff}`);
      }
    } finally {
      await teardown.dispose();
    }

    const out = path.join(temp.dir, 'run');
    const bench = await runWdmoe(['bench', derived, '--limit', '2', '--dataset', 'add', '--out', out], { env, ...LIMITS });
    assert.equal(bench.exitCode, 0, bench.stderr);
    assert.equal(readJsonl(path.join(out, 'results.jsonl')).length, 2);
    const setup = readJsonl<{ phase: string; runtime: Record<string, unknown> | null }>(path.join(out, 'devices.jsonl')).find((line) => line.phase === 'start');
    assert.deepEqual([setup?.runtime?.['runtime'], setup?.runtime?.['engine'], setup?.runtime?.['executionProvider']], ['python', 'torch', 'cpu']);

    const down = await runWdmoe(['teardown', derived, '--purge', '--json'], { env, ...LIMITS });
    assert.equal(down.exitCode, 0, down.stderr);
    assert.equal((JSON.parse(down.stdout) as { devices: Array<{ stoppedPid: number | null }> }).devices[0]!.stoppedPid, pid);
    assert.deepEqual(await waitForNoAgents(device), [], 'no Python agent left after teardown');
    const loopbackDown = await runWdmoe(['loopback', 'down', '--netns', source, '--json'], { env, ...LIMITS });
    assert.equal(loopbackDown.exitCode, 0, loopbackDown.stderr);
    assert.deepEqual(namespacesOf(run), [], 'no namespace left');
    assert.deepEqual(linksOf(run), [], 'no veth or ifb left');
    assert.deepEqual(liveProcessesMentioning(stateDir), [], 'no sshd or agent left');
  });
});
