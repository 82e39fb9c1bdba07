// The agent bundle holds the built CLI and the production dependencies, with onnxruntime's binaries for
// the device's platform only; the model part holds exactly the device's shards and the manifest.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
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

test('the bundle has the entry, package.json, the built CLI and production dependencies, without source maps or dev tools', async () => {
  const files = await listAgentFiles(PROJECT_ROOT, 'x64', await HashCache.load(null));
  const names = new Set(files.map((f) => f.remote));
  for (const wanted of ['app/bin/wdmoe', 'app/package.json', 'app/dist/cli/main.js', 'app/dist/agent/run-agent.js', 'app/node_modules/zod/package.json', 'app/node_modules/onnxruntime-node/package.json']) assert.ok(names.has(wanted), wanted);
  assert.equal(files.find((f) => f.remote === 'app/bin/wdmoe')?.mode, 0o755);
  assert.equal(files.some((f) => f.remote.endsWith('.map') || f.remote.endsWith('.d.ts')), false);
  assert.equal(files.some((f) => /node_modules\/(typescript|tsx|fast-check)\//.test(f.remote)), false, 'no dev dependencies');
  assert.ok(files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256)));
});

test('the model part is the manifest and exactly the given experts\' shards', async () => {
  const files = await listModelFiles(MODEL, ['0.1', '3.7'], await HashCache.load(null));
  assert.deepEqual(files.map((f) => f.remote), ['model/manifest.json', 'model/expert.0.1.onnx', 'model/expert.3.7.onnx']);
});
