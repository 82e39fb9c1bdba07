// The device-side snippets, run here with sh and node as a device would run them: the probe reports
// the facts preflight needs, the commit step renames only temp files whose sha256 is right and writes
// the manifest, purge removes only what deploy put there.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseProbe } from '../../src/deploy/preflight.js';
import { agentDirExpression, commitCommand, probeScript, purgeScript, REMOTE_MANIFEST, shellQuote, startScript, TEMP_SUFFIX } from '../../src/deploy/remote-scripts.js';

const sh = (script: string, input?: string) => execFileSync('sh', ['-c', script], { encoding: 'utf8', input });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function tempAgentDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "wdmoe-remote-it's-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'agent dir');
}

test('quoting survives quotes and spaces; ~/ becomes $HOME', () => {
  assert.equal(sh(`printf %s ${shellQuote("it's a 'test'")}`), "it's a 'test'");
  assert.equal(agentDirExpression('~/.wdmoe'), `"$HOME"/'.wdmoe'`);
  assert.equal(sh(`printf %s ${agentDirExpression('~/x y')}`), `${os.homedir()}/x y`);
});

test('the probe reports node, arch, free disk and memory, and makes the agent directory', (t) => {
  const dir = tempAgentDir(t);
  const probe = parseProbe(sh(probeScript(dir, 'dev-0')));
  assert.equal(probe.dir, dir);
  assert.ok(existsSync(dir));
  assert.equal(probe.nodeVersion, process.version);
  assert.ok(probe.node !== null && probe.diskFreeBytes! > 0 && probe.memAvailableBytes! > 0);
  assert.equal(probe.manifest, undefined);
  assert.equal(probe.agent, undefined);
});

test('commit renames verified temp files into place, refuses a wrong sha256, removes stale files, writes the manifest', (t) => {
  const dir = tempAgentDir(t);
  mkdirSync(path.join(dir, 'model'), { recursive: true });
  writeFileSync(path.join(dir, 'model', `good.onnx${TEMP_SUFFIX}`), 'good bytes');
  writeFileSync(path.join(dir, 'model', `torn.onnx${TEMP_SUFFIX}`), 'half');
  writeFileSync(path.join(dir, 'model', 'torn.onnx'), 'old complete bytes');
  writeFileSync(path.join(dir, 'model', 'old.onnx'), 'no longer placed here');
  const manifest = { formatVersion: 1, files: { 'model/good.onnx': { sha256: sha256('good bytes'), bytes: 10 }, 'model/torn.onnx': { sha256: sha256('whole'), bytes: 5 } } };
  const job = { dir, files: [{ remote: 'model/good.onnx', sha256: sha256('good bytes') }, { remote: 'model/torn.onnx', sha256: sha256('whole') }], stale: ['model/old.onnx'], manifest };
  const out = JSON.parse(sh(commitCommand(process.execPath), JSON.stringify(job))) as { bad: Array<{ remote: string }> };
  assert.deepEqual(out.bad.map((entry) => entry.remote), ['model/torn.onnx']);
  assert.equal(readFileSync(path.join(dir, 'model', 'good.onnx'), 'utf8'), 'good bytes');
  assert.equal(readFileSync(path.join(dir, 'model', 'torn.onnx'), 'utf8'), 'old complete bytes', 'a bad upload never replaces the file in use');
  assert.equal(existsSync(path.join(dir, 'model', `torn.onnx${TEMP_SUFFIX}`)), false);
  assert.equal(existsSync(path.join(dir, 'model', 'old.onnx')), false);
  const written = JSON.parse(readFileSync(path.join(dir, REMOTE_MANIFEST), 'utf8')) as typeof manifest;
  assert.deepEqual(Object.keys(written.files), ['model/good.onnx'], 'the refused file is not recorded: the next deploy sends it again');
});

test('purge removes what deploy wrote and the folder once empty, nothing else', (t) => {
  const dir = tempAgentDir(t);
  for (const sub of ['app', 'model', 'run']) mkdirSync(path.join(dir, sub), { recursive: true });
  writeFileSync(path.join(dir, REMOTE_MANIFEST), '{}');
  sh(purgeScript(dir));
  assert.equal(existsSync(dir), false);
  mkdirSync(path.join(dir, 'app'), { recursive: true });
  writeFileSync(path.join(dir, 'user-notes.txt'), 'mine');
  sh(purgeScript(dir));
  assert.equal(readFileSync(path.join(dir, 'user-notes.txt'), 'utf8'), 'mine');
  assert.equal(existsSync(path.join(dir, 'app')), false);
});

test('the start line makes the agent listen on the device\'s testbed address, never on every interface', () => {
  const script = startScript({ agentDir: '~/.wdmoe', node: '/usr/bin/node', device: 'jetson-0', experts: ['0.1'], host: '192.168.50.11', port: 47100, fingerprint: 'f', readyTimeoutMs: 1000 });
  const agentLine = script.split('\n').find((line) => line.includes(' agent --model '))!;
  assert.match(agentLine, / --host '192\.168\.50\.11' --port '47100' /);
  assert.doesNotMatch(script, /0\.0\.0\.0/);
});
