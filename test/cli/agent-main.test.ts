// `wdmoe agent` is what runs on a device: bin/wdmoe sends it to cli/agent-main.ts, which must load the agent
// and nothing of the BS side. Statically: walk agent-main.ts's imports transitively (STYLE.md §2). At run time:
// a real `bin/wdmoe agent` process, with a loader hook that logs every module it resolves, serves the bundled
// model, and the log must hold the agent and onnxruntime but no BS-side piece or package; `wdmoe agent --help`
// and a bad flag behave as through the full command line. Every file it loaded is in the device bundle deploy sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SRC, forbiddenImports } from '../helpers/import-graph.js';
import { runWdmoe, tempDir } from '../e2e/helpers.js';
import { listAgentFiles } from '../../src/deploy/bundle.js';
import { HashCache } from '../../src/deploy/hash-cache.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FORBIDDEN_PIECES = ['bs', 'bench', 'deploy', 'report', 'loopback', 'sim', 'links', 'policy', 'testbed', 'datasets', 'records', 'channel', 'perf'];
const FORBIDDEN_PACKAGES = ['ssh2', 'ssh-config', 'ora', 'cli-table3', 'execa', '@huggingface/tokenizers', 'yaml', 'vega', 'vega-lite', 'jstat', 'simple-statistics', 'fastest-levenshtein'];

test('cli/agent-main.ts reaches no BS-side piece or package, transitively', () => {
  const { problems, seen } = forbiddenImports([path.join(SRC, 'cli/agent-main.ts')], FORBIDDEN_PIECES, FORBIDDEN_PACKAGES);
  assert.ok([...seen].some((file) => file.endsWith(path.join('agent', 'run-agent.ts'))), 'walked into the agent');
  assert.deepEqual(problems, [], `forbidden imports reachable from cli/agent-main.ts:\n${problems.join('\n')}`);
});

test('a bin/wdmoe agent process loads the agent and onnxruntime and none of the BS side', { timeout: 60_000 }, async (t) => {
  const temp = tempDir();
  t.after(temp.dispose);
  const dir = temp.dir;
  const log = path.join(dir, 'imports.log');
  const child = spawn(process.execPath, ['--import', path.join(ROOT, 'test/fixtures/imports/record.mjs'), path.join(ROOT, 'bin/wdmoe'), 'agent',
    '--model', path.join(ROOT, 'models/tiny-mixtral'), '--device', 'lean', '--port', '0', '--parent-pid', String(process.pid)], {
    env: { ...process.env, WDMOE_TOKEN: 'lean-entry-test', WDMOE_IMPORT_LOG: log },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('{"event":"ready"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`agent exited with ${code} before ready: ${err}`)));
  });
  const urls = readFileSync(log, 'utf8').split('\n').filter((line) => line !== '');
  const relative = urls.filter((url) => url.startsWith('file:')).map((url) => path.relative(ROOT, fileURLToPath(url)));
  assert.ok(relative.includes(path.join('dist', 'cli', 'agent-main.js')), 'started from dist/cli/agent-main.js');
  assert.ok(!relative.includes(path.join('dist', 'cli', 'main.js')), 'did not load the full command line');
  assert.ok(relative.some((file) => file.startsWith(path.join('dist', 'agent') + path.sep)), 'loaded the agent');
  assert.ok(relative.some((file) => file.includes(path.join('node_modules', 'onnxruntime-node'))), 'loaded onnxruntime-node');
  const piecesLoaded = relative.filter((file) => FORBIDDEN_PIECES.some((piece) => file.startsWith(path.join('dist', piece) + path.sep)));
  const packagesLoaded = relative.filter((file) => FORBIDDEN_PACKAGES.some((name) => file.includes(path.join('node_modules', name) + path.sep)));
  assert.deepEqual([...piecesLoaded, ...packagesLoaded], [], 'the device process loaded BS-side code');
  // Everything it loaded is in what deploy sends a device (deploy/agent-closure.ts), so a deployed agent finds it.
  const bundle = new Set((await listAgentFiles(ROOT, process.arch === 'arm64' ? 'arm64' : 'x64', await HashCache.load(null))).map((file) => file.remote.replace(/^app\//, '')));
  const outside = relative.filter((file) => !file.startsWith('..') && !bundle.has(file));
  assert.deepEqual(outside, [], 'the agent loaded files a device bundle lacks');
});

test('wdmoe agent --help and a bad flag go through the lean entry with the usual text and exit codes', async () => {
  const help = await runWdmoe(['agent', '--help']);
  assert.equal(help.exitCode, 0);
  assert.match(String(help.stdout), /Usage: wdmoe agent \[options\]/);
  assert.match(String(help.stdout), /--token-file <file>/);
  assert.match(String(help.stdout), /Exit codes:/);
  const bad = await runWdmoe(['agent', '--model', 'x', '--device', 'd', '--port', 'nope']);
  assert.equal(bad.exitCode, 2);
  assert.match(String(bad.stderr), /--port <port>.*expected a port number/);
  const noToken = await runWdmoe(['agent', '--model', 'x', '--device', 'd', '--port', '0'], { env: { WDMOE_TOKEN: '' } });
  assert.equal(noToken.exitCode, 2);
  assert.match(String(noToken.stderr), /device d: no auth token/);
  const full = await runWdmoe(['--help']);
  assert.match(String(full.stdout), /\n\s+agent \[options\]/, 'the full command line still lists agent');
});
