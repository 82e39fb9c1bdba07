// `report` reads run folders only: walk src/report's imports transitively (through records/) and fail
// when the model runtime, the transport or the tokenizer is reachable, so printing a table stays cheap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const RUNTIME_PIECES = ['bench', 'bs', 'model', 'transport', 'agent', 'links', 'loopback', 'deploy'];
const FORBIDDEN_PACKAGES = ['onnxruntime-node', '@huggingface/tokenizers', 'ssh2', 'execa'];
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

function importsOf(file: string): { local: string[]; packages: string[] } {
  const local: string[] = [];
  const packages: string[] = [];
  for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    if (/^\s*(?:import|export)\s+type\s/.test(match[0])) continue; // erased at build time
    const spec = match[1] ?? match[2] ?? match[3]!;
    if (spec.startsWith('.')) local.push(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
    else if (!spec.startsWith('node:')) packages.push(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
  }
  return { local, packages };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

// Every edge into `forbiddenPieces` or a forbidden package reachable from `roots`, and the files walked.
function forbiddenImports(roots: string[], forbiddenPieces: readonly string[]): { problems: string[]; seen: Set<string> } {
  const seen = new Set<string>();
  const queue = [...roots];
  const problems: string[] = [];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const { local, packages } = importsOf(file);
    for (const target of local) {
      if (forbiddenPieces.includes(path.relative(SRC, target).split(path.sep)[0]!)) problems.push(`${path.relative(SRC, file)} → ${path.relative(SRC, target)}`);
      queue.push(target);
    }
    for (const name of packages) if (FORBIDDEN_PACKAGES.includes(name)) problems.push(`${path.relative(SRC, file)} → ${name}`);
  }
  return { problems, seen };
}

test('report reaches no bench, bs, model or transport code, onnxruntime or the tokenizer, transitively', () => {
  const { problems, seen } = forbiddenImports(sourceFiles(path.join(SRC, 'report')), [...RUNTIME_PIECES, 'cli']);
  assert.ok([...seen].some((file) => file.includes(`${path.sep}records${path.sep}`)), 'the walk went through records/');
  assert.deepEqual(problems, [], `forbidden imports reachable from src/report:\n${problems.join('\n')}`);
});

test('the cli report command reaches no runtime piece either (only cli helpers, report and records)', () => {
  const { problems } = forbiddenImports([path.join(SRC, 'cli', 'commands', 'report.ts')], RUNTIME_PIECES);
  assert.deepEqual(problems, [], `forbidden imports reachable from src/cli/commands/report.ts:\n${problems.join('\n')}`);
});
