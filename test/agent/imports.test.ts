// The agent ships to small devices: walk src/agent's imports transitively and fail on a forbidden
// piece or package (STYLE.md §2). Also rejects import cycles anywhere in src/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const FORBIDDEN_PIECES = ['bs', 'deploy', 'report', 'cli', 'bench', 'loopback', 'sim', 'links', 'policy', 'testbed'];
const FORBIDDEN_PACKAGES = ['ssh2', 'ora', 'cli-table3', 'commander', 'execa', '@huggingface/tokenizers', 'yaml'];
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

function importsOf(file: string): { local: string[]; packages: string[] } {
  const text = readFileSync(file, 'utf8');
  const local: string[] = [];
  const packages: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    if (/^\s*import\s+type\s/.test(match[0]) || /^\s*export\s+type\s/.test(match[0])) continue; // erased at build time
    const spec = match[1] ?? match[2] ?? match[3]!;
    if (spec.startsWith('.')) local.push(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
    else if (!spec.startsWith('node:')) packages.push(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
  }
  return { local, packages };
}

function allSourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? allSourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

test('the agent imports no BS, deploy, report or CLI code and no heavy CLI packages, transitively', () => {
  const seen = new Set<string>();
  const queue = allSourceFiles(path.join(SRC, 'agent'));
  const problems: string[] = [];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const { local, packages } = importsOf(file);
    for (const target of local) {
      const piece = path.relative(SRC, target).split(path.sep)[0]!;
      if (FORBIDDEN_PIECES.includes(piece)) problems.push(`${path.relative(SRC, file)} → ${path.relative(SRC, target)}`);
      queue.push(target);
    }
    for (const name of packages) if (FORBIDDEN_PACKAGES.includes(name)) problems.push(`${path.relative(SRC, file)} → ${name}`);
  }
  assert.ok(seen.size > 1, 'walked the agent sources');
  assert.deepEqual(problems, [], `forbidden imports reachable from src/agent:\n${problems.join('\n')}`);
});

test('there are no import cycles in src/', () => {
  const files = allSourceFiles(SRC);
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
