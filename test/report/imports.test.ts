// `report` reads run folders only: walk src/report's imports transitively (through records/) and fail
// when the model runtime, the transport or the tokenizer is reachable, so printing a table stays cheap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SRC, forbiddenImports as walk, sourceFiles } from '../helpers/import-graph.js';

const RUNTIME_PIECES = ['bench', 'bs', 'model', 'transport', 'agent', 'links', 'loopback', 'deploy'];
const FORBIDDEN_PACKAGES = ['onnxruntime-node', '@huggingface/tokenizers', 'ssh2', 'execa'];
const forbiddenImports = (roots: string[], pieces: readonly string[]) => walk(roots, pieces, FORBIDDEN_PACKAGES);

test('report reaches no bench, bs, model or transport code, onnxruntime or the tokenizer, transitively', () => {
  const { problems, seen } = forbiddenImports(sourceFiles(path.join(SRC, 'report')), [...RUNTIME_PIECES, 'cli']);
  assert.ok([...seen].some((file) => file.includes(`${path.sep}records${path.sep}`)), 'the walk went through records/');
  assert.deepEqual(problems, [], `forbidden imports reachable from src/report:\n${problems.join('\n')}`);
});

test('the cli report command reaches no runtime piece either (only cli helpers, report and records)', () => {
  const { problems } = forbiddenImports([path.join(SRC, 'cli', 'commands', 'report.ts')], RUNTIME_PIECES);
  assert.deepEqual(problems, [], `forbidden imports reachable from src/cli/commands/report.ts:\n${problems.join('\n')}`);
});
