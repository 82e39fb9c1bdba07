// The agent ships to small devices: walk src/agent's imports transitively and fail on a forbidden
// piece or package (STYLE.md §2). Also rejects import cycles anywhere in src/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SRC, forbiddenImports, importsOf, sourceFiles } from '../helpers/import-graph.js';

const FORBIDDEN_PIECES = ['bs', 'deploy', 'report', 'cli', 'bench', 'loopback', 'sim', 'links', 'policy', 'testbed'];
const FORBIDDEN_PACKAGES = ['ssh2', 'ora', 'cli-table3', 'commander', 'execa', '@huggingface/tokenizers', 'yaml'];

test('the agent imports no BS, deploy, report or CLI code and no heavy CLI packages, transitively', () => {
  const { problems, seen } = forbiddenImports(sourceFiles(path.join(SRC, 'agent')), FORBIDDEN_PIECES, FORBIDDEN_PACKAGES);
  assert.ok(seen.size > 1, 'walked the agent sources');
  assert.deepEqual(problems, [], `forbidden imports reachable from src/agent:\n${problems.join('\n')}`);
});

test('there are no import cycles in src/', () => {
  const files = sourceFiles(SRC);
  const graph = new Map(files.map((file) => [file, importsOf(file).local]));
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, trail: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(SRC, f)).join(' → '));
      return;
    }
    state.set(file, 'visiting');
    for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of files) visit(file, []);
  assert.deepEqual(cycles, [], `import cycles:\n${cycles.join('\n')}`);
});
