// The agent bundle holds the built modules `wdmoe agent` loads and the packages they import, with
// onnxruntime's binaries for the device's platform only; the model part holds exactly the device's shards and
// the manifest. The agent closure's walk is checked on small modules written here.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { agentClosure } from '../../src/deploy/agent-closure.js';
import { listAgentFiles, listModelFiles, PROJECT_ROOT } from '../../src/deploy/bundle.js';
import { HashCache } from '../../src/deploy/hash-cache.js';

const MODEL = path.join(PROJECT_ROOT, 'models', 'tiny-mixtral');
const onnxruntimeBinaries = (files: ReadonlyArray<{ remote: string }>) =>
  [...new Set(files.map((f) => /onnxruntime-node\/bin\/napi-v\d+\/([^/]+\/[^/]+)\//.exec(f.remote)?.[1]).filter((p): p is string => p !== undefined))];

test('an arm64 device gets only linux/arm64 onnxruntime binaries; an x64 device only linux/x64', async () => {
  const hashes = await HashCache.load(null);
  const arm = await listAgentFiles(PROJECT_ROOT, 'arm64', hashes);
  const x64 = await listAgentFiles(PROJECT_ROOT, 'x64', hashes);
  assert.deepEqual(onnxruntimeBinaries(arm), ['linux/arm64']);
  assert.deepEqual(onnxruntimeBinaries(x64), ['linux/x64']);
  const total = (files: ReadonlyArray<{ bytes: number }>) => files.reduce((sum, f) => sum + f.bytes, 0);
  assert.ok(total(x64) < 120 * 1024 * 1024, `the x64 bundle is ${total(x64)} B, not every platform's 288 MB`);
});

test('the bundle has the entry, package.json, the modules `wdmoe agent` loads and their packages, without source maps or dev tools', async () => {
  const files = await listAgentFiles(PROJECT_ROOT, 'x64', await HashCache.load(null));
  const names = new Set(files.map((f) => f.remote));
  for (const wanted of ['app/bin/wdmoe', 'app/package.json', 'app/dist/cli/signals.js', 'app/dist/cli/agent-main.js', 'app/dist/agent/run-agent.js', 'app/dist/model/onnx.js', 'app/node_modules/commander/package.json', 'app/node_modules/onnxruntime-node/package.json', 'app/node_modules/onnxruntime-common/package.json']) assert.ok(names.has(wanted), wanted);
  // Only the base station's: the other commands and the packages only they use.
  for (const unwanted of ['app/dist/cli/main.js', 'app/dist/bench/run.js', 'app/dist/deploy/deploy.js', 'app/dist/report/html.js']) assert.ok(!names.has(unwanted), unwanted);
  assert.equal(files.some((f) => /node_modules\/(ssh2|vega|vega-lite|ora|cli-table3|execa|yaml|@huggingface\/tokenizers|es-module-lexer)\//.test(f.remote)), false, 'no BS-only packages');
  assert.equal(files.find((f) => f.remote === 'app/bin/wdmoe')?.mode, 0o755);
  assert.equal(files.some((f) => f.remote.endsWith('.map') || f.remote.endsWith('.d.ts')), false);
  assert.equal(files.some((f) => /node_modules\/(typescript|tsx|fast-check)\//.test(f.remote)), false, 'no dev dependencies');
  assert.ok(files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256)));
});

test('the model part is the manifest and exactly the given experts\' shards', async () => {
  const files = await listModelFiles(MODEL, ['0.1', '3.7'], await HashCache.load(null));
  assert.deepEqual(files.map((f) => f.remote), ['model/manifest.json', 'model/expert.0.1.onnx', 'model/expert.3.7.onnx']);
});

test('the agent closure follows static, re-exported and literal dynamic imports, and refuses a computed one naming the file', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wdmoe-closure-'));
  try {
    writeFileSync(path.join(dir, 'entry.js'), "import { a } from './a.js';\nexport * from './b.js';\nimport 'node:fs';\nimport 'fs';\nconst c = await import('./c.js');\nimport x from '@scope/pkg/deep/file.js';\nimport.meta.url;\n");
    writeFileSync(path.join(dir, 'a.js'), "import y from 'plain/sub';\nexport const a = 1;\n");
    writeFileSync(path.join(dir, 'b.js'), "export { a } from './a.js';\n");
    writeFileSync(path.join(dir, 'c.js'), 'export default 3;\n');
    const closure = await agentClosure([path.join(dir, 'entry.js')]);
    assert.deepEqual(closure.modules.map((file) => path.basename(file)), ['a.js', 'b.js', 'c.js', 'entry.js']);
    assert.deepEqual(closure.packages, ['@scope/pkg', 'plain']);
    writeFileSync(path.join(dir, 'c.js'), 'const name = "x";\nexport default await import(`./${name}.js`);\n');
    await assert.rejects(agentClosure([path.join(dir, 'entry.js')]), /c\.js has a dynamic import of a computed specifier \(import\(`\.\/\$\{name\}\.js`\)\)/);
    writeFileSync(path.join(dir, 'c.js'), "import './gone.js';\n");
    await assert.rejects(agentClosure([path.join(dir, 'entry.js')]), /the agent imports .*gone\.js, which does not exist \(run npm run build\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
