// Deploy's pieces for `runtime: python` devices, run here with sh and python3 as a device would run them:
// the probe finds the interpreter (python3 on the PATH, or the testbed's `python`: absolute, ~/, relative
// to the home, a command; a missing or non-executable one is none), the facts step reports its version,
// torch/CUDA, onnxruntime, numpy and onnx; preflight refuses what cannot run the agent (table); the Python commit step behaves as the node one; the start script starts
// `python3 -m wdmoe_agent` from an agent directory laid out as deploy lays it out, and the stop script
// (whose liveness test must recognise the Python agent) stops it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseProbe } from '../../src/deploy/preflight.js';
import {
  checkPythonPreflight, describePython, parsePythonFacts, pythonBackendOf, pythonCommitCommand, pythonFactsCommand, pythonProbeLines, pythonStartScript, type PythonFacts,
} from '../../src/deploy/python-runtime.js';
import { probeScript, REMOTE_MANIFEST, stopScript, TEMP_SUFFIX } from '../../src/deploy/remote-scripts.js';
import { MODEL_DIR, ROOT, agentPids } from '../e2e/helpers.js';
import { VENV_PYTHON, pythonSkipReason } from '../python-agent/agents.js';

const skip = pythonSkipReason();
if (skip !== undefined) console.log(`# deploy python runtime ${skip}`);
const VENV_PATH = `${path.dirname(VENV_PYTHON)}:${process.env['PATH']}`;
const sh = (script: string, input?: string, env: NodeJS.ProcessEnv = process.env) => execFileSync('sh', ['-c', script], { encoding: 'utf8', input, env });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function tempAgentDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wdmoe-python-deploy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'agent dir');
}

const GOOD: PythonFacts = { executable: '/usr/bin/python3', version: '3.8.10', torch: { version: '2.1.0a0', cuda: true, device: 'Orin' }, onnxruntime: { error: 'ModuleNotFoundError' }, numpy: '1.24.4', onnx: '1.14.0' };

test('the probe finds python3 on the PATH and the facts step reports its version, torch and CUDA, onnxruntime, numpy and onnx', { skip }, (t) => {
  const probe = parseProbe(sh(probeScript(tempAgentDir(t), 'dev-py', pythonProbeLines(null)), undefined, { ...process.env, PATH: VENV_PATH }));
  assert.equal(probe.python, path.join(path.dirname(VENV_PYTHON), 'python3'));
  const facts = parsePythonFacts(sh(pythonFactsCommand(probe.python!)))!;
  assert.match(facts.version, /^3\.\d+\.\d+$/);
  assert.ok('version' in facts.torch && facts.torch.cuda === false, JSON.stringify(facts.torch));
  assert.ok('version' in facts.onnxruntime && facts.onnxruntime.providers.includes('CPUExecutionProvider'));
  assert.equal(typeof facts.numpy, 'string');
  assert.equal(typeof facts.onnx, 'string');
  assert.equal(checkPythonPreflight({ named: null, path: probe.python, facts }, 'dev-py'), undefined);
  assert.equal(pythonBackendOf(facts), 'torch');
  assert.match(describePython(facts), /^python 3\.\d+\.\d+, torch 2\.[\d.]+\S*, CUDA no: experts run on the CPU$/);
  assert.equal(describePython(GOOD), 'python 3.8.10, torch 2.1.0a0, CUDA yes (Orin)');
});

// A home with a venv-like tree: venv/bin/python (a link to the real interpreter), a non-executable file, a folder.
function fakeHome(t: { after: (fn: () => void) => void }): string {
  const home = mkdtempSync(path.join(os.tmpdir(), 'wdmoe-python-home-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  mkdirSync(path.join(home, 'venv', 'bin'), { recursive: true });
  symlinkSync('/bin/sh', path.join(home, 'venv', 'bin', 'python'));
  writeFileSync(path.join(home, 'venv', 'bin', 'notes.txt'), 'not a program');
  return home;
}

// What the probe reports as python= for the testbed's `python`, run with `home` as $HOME and cwd (as an ssh session is).
function probedPython(t: { after: (fn: () => void) => void }, home: string, named: string | null): string | null {
  const out = execFileSync('sh', ['-c', probeScript(tempAgentDir(t), 'dev-py', pythonProbeLines(named))], { encoding: 'utf8', cwd: home, env: { ...process.env, HOME: home } });
  return parseProbe(out).python;
}

test('the probe finds the testbed\'s python: an absolute path, ~/ and relative paths from the home, a command on the PATH; the found path is absolute', (t) => {
  const home = fakeHome(t);
  const venvPython = path.join(home, 'venv', 'bin', 'python');
  assert.equal(probedPython(t, home, venvPython), venvPython);
  assert.equal(probedPython(t, home, '~/venv/bin/python'), venvPython);
  assert.equal(probedPython(t, home, 'venv/bin/python'), venvPython);
  assert.equal(probedPython(t, home, 'sh'), execFileSync('sh', ['-c', 'command -v sh'], { encoding: 'utf8' }).trim());
  assert.equal(probedPython(t, home, "it's/not here"), null, 'quoted for the shell');
});

test('a python that is missing, not executable or a folder is none, and preflight names the device, the path and the fix', (t) => {
  const home = fakeHome(t);
  for (const named of ['/nonexistent/bin/python3', '~/venv/bin/notes.txt', '~/venv/bin', 'python9.9-nowhere']) {
    const found = probedPython(t, home, named);
    assert.equal(found, null, named);
    const problem = checkPythonPreflight({ named, path: found }, 'jetson-7')!;
    assert.equal(problem.code, 'preflight-no-python');
    assert.ok(problem.message.includes(`"${named}"`) && problem.message.includes('jetson-7'), problem.message);
    assert.match(problem.message, named.includes('/') ? /no such file, or not executable/ : /not on the ssh session's PATH/);
    assert.match(problem.hint!, /fix `python:` for jetson-7 .*in the testbed/);
  }
});

test('a named interpreter that is not Python answers no facts: preflight says it did not answer, with its output', (t) => {
  const home = fakeHome(t);
  const found = probedPython(t, home, '/bin/true');
  assert.equal(found, '/bin/true');
  assert.equal(parsePythonFacts(sh(pythonFactsCommand('/bin/true'))), undefined);
  for (const garbage of ['', 'not json', '{"version": 3}', 'null', '[]']) assert.equal(parsePythonFacts(garbage), undefined, garbage);
  const problem = checkPythonPreflight({ named: '/bin/true', path: found, factsError: 'Traceback (most recent call last):\nSyntaxError: invalid syntax\n' }, 'dev-py')!;
  assert.equal(problem.code, 'preflight-python-broken');
  assert.equal(problem.message, 'device dev-py: /bin/true did not answer the probe: SyntaxError: invalid syntax');
});

const REFUSALS: Array<{ name: string; named?: string; python: string | null; facts?: PythonFacts; code: string; message: RegExp; hint?: RegExp }> = [
  { name: 'no python3', python: null, code: 'preflight-no-python', message: /python3 is not installed/, hint: /`python:` in the testbed/ },
  { name: 'a python3 that does not answer', python: '/usr/bin/python3', code: 'preflight-python-broken', message: /did not answer/ },
  { name: 'JetPack 4\'s python 3.6', python: '/usr/bin/python3', facts: { ...GOOD, version: '3.6.9' }, code: 'preflight-old-python', message: /3\.6\.9 at \/usr\/bin\/python3 is too old \(need ≥ 3\.8\)/, hint: /python: \/usr\/bin\/python3\.8/ },
  { name: 'a named python 3.6', named: '/usr/bin/python3.6', python: '/usr/bin/python3.6', facts: { ...GOOD, version: '3.6.9' }, code: 'preflight-old-python', message: /3\.6\.9 at \/usr\/bin\/python3\.6 is too old/, hint: /point `python:` for dev-py at an interpreter ≥ 3\.8/ },
  { name: 'no onnx package', python: '/usr/bin/python3', facts: { ...GOOD, onnx: { error: 'ModuleNotFoundError: onnx' } }, code: 'preflight-python-packages', message: /at \/usr\/bin\/python3 cannot import onnx/, hint: /\/usr\/bin\/python3 -m pip install onnx/ },
  { name: 'neither torch nor onnxruntime', python: '/usr/bin/python3', facts: { ...GOOD, torch: { error: 'ModuleNotFoundError: torch' } }, code: 'preflight-no-engine', message: /neither torch/ },
];

for (const { name, named, python, facts, code, message, hint } of REFUSALS) {
  test(`python preflight refuses: ${name}`, () => {
    const problem = checkPythonPreflight({ named: named ?? null, path: python, facts }, 'dev-py');
    assert.equal(problem?.code, code);
    assert.match(problem!.message, message);
    assert.match(problem!.message, /dev-py/);
    assert.ok((problem!.hint ?? '') !== '');
    if (hint !== undefined) assert.match(problem!.hint!, hint);
  });
}

test('onnxruntime is the backend when torch does not import', () => {
  const facts = { ...GOOD, torch: { error: 'x' }, onnxruntime: { version: '1.16.0', providers: ['CUDAExecutionProvider', 'CPUExecutionProvider'] } };
  assert.equal(pythonBackendOf(facts), 'onnxruntime');
  assert.equal(describePython(facts), 'python 3.8.10, onnxruntime 1.16.0, CUDA yes (CUDAExecutionProvider)');
});

test('the Python commit renames verified temp files, refuses a wrong sha256, removes stale files, writes the manifest', (t) => {
  const dir = tempAgentDir(t);
  mkdirSync(path.join(dir, 'model'), { recursive: true });
  writeFileSync(path.join(dir, 'model', `good.onnx${TEMP_SUFFIX}`), 'good bytes');
  writeFileSync(path.join(dir, 'model', `torn.onnx${TEMP_SUFFIX}`), 'half');
  writeFileSync(path.join(dir, 'model', 'torn.onnx'), 'old complete bytes');
  writeFileSync(path.join(dir, 'model', 'old.onnx'), 'stale');
  const manifest = { formatVersion: 1, files: { 'model/good.onnx': { sha256: sha256('good bytes'), bytes: 10 }, 'model/torn.onnx': { sha256: sha256('whole'), bytes: 5 }, 'model/gone.onnx': { sha256: sha256('x'), bytes: 1 } } };
  const job = { dir, files: [{ remote: 'model/good.onnx', sha256: sha256('good bytes') }, { remote: 'model/torn.onnx', sha256: sha256('whole') }, { remote: 'model/gone.onnx', sha256: sha256('x') }], stale: ['model/old.onnx'], manifest };
  const out = JSON.parse(sh(pythonCommitCommand('python3'), JSON.stringify(job))) as { bad: Array<{ remote: string; sha256: string }> };
  assert.deepEqual(out.bad, [{ remote: 'model/torn.onnx', sha256: sha256('half') }, { remote: 'model/gone.onnx', sha256: 'ENOENT' }]);
  assert.equal(readFileSync(path.join(dir, 'model', 'good.onnx'), 'utf8'), 'good bytes');
  assert.equal(readFileSync(path.join(dir, 'model', 'torn.onnx'), 'utf8'), 'old complete bytes');
  assert.equal(existsSync(path.join(dir, 'model', 'old.onnx')), false);
  assert.deepEqual(Object.keys((JSON.parse(readFileSync(path.join(dir, REMOTE_MANIFEST), 'utf8')) as typeof manifest).files), ['model/good.onnx']);
});

test('the start script starts the Python agent from a deployed layout and the stop script stops it', { skip }, async (t) => {
  const dir = tempAgentDir(t);
  mkdirSync(path.join(dir, 'run'), { recursive: true });
  mkdirSync(path.join(dir, 'model'), { recursive: true });
  cpSync(path.join(ROOT, 'python', 'wdmoe_agent'), path.join(dir, 'app', 'python', 'wdmoe_agent'), { recursive: true, filter: (source) => !source.includes('__pycache__') });
  for (const file of ['manifest.json', 'expert.0.1.onnx', 'expert.2.3.onnx']) cpSync(path.join(MODEL_DIR, file), path.join(dir, 'model', file));
  writeFileSync(path.join(dir, 'run', 'token'), 'deploy-python-token\n');
  const device = `dev-py-${process.pid}`;
  const launch = { agentDir: dir, device, experts: ['0.1', '2.3'], host: '127.0.0.1', port: 0, fingerprint: 'f'.repeat(64), readyTimeoutMs: 60_000, python: VENV_PYTHON, backend: 'torch' as const };
  let pid: number | undefined;
  try {
    const out = sh(pythonStartScript(launch));
    pid = Number(/^ready (\d+)$/m.exec(out)?.[1]);
    assert.ok(pid > 0, out);
    const ready = JSON.parse(readFileSync(path.join(dir, 'run', 'agent.log'), 'utf8').split('\n').find((line) => line.startsWith('{"event":"ready"'))!) as Record<string, unknown>;
    assert.deepEqual([ready['device'], ready['experts'], ready['runtime'], ready['backend'], ready['host']], [device, 2, 'python', 'torch', '127.0.0.1']); // the testbed's address, never every interface
    assert.deepEqual(agentPids(device), [pid], 'the e2e leftover check sees a Python agent (python -m wdmoe_agent)');
    assert.match(sh(stopScript(dir, device)), new RegExp(`^stopped ${pid}$`, 'm'));
    // Gone, or a zombie nobody reaps here (the script's shell, its parent, has exited); a process in its last
    // exit steps has an empty cmdline already (the stop script's liveness test is false), so allow it a moment.
    const state = () => (existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, 'utf8') : 'State: gone');
    for (let i = 0; i < 50 && !/^State:\s+(Z|gone)/m.test(state()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(state(), /^State:\s+(Z|gone)/m, 'the agent is gone');
    pid = undefined;
  } finally {
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
  }
});
