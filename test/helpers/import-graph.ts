// Shared by the import-boundary tests (test/agent/imports.test.ts, test/report/imports.test.ts): the
// value imports of a source file (type-only imports are erased at build time), every .ts file under a folder,
// and a transitive walk that lists each edge into a forbidden piece or package.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;

// The local files (as .ts paths) and packages `file` imports at run time.
export function importsOf(file: string): { local: string[]; packages: string[] } {
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

// Every .ts file under `dir`.
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith('.ts') ? [full] : [];
  });
}

// Every edge into `forbiddenPieces` (folders of src/) or `forbiddenPackages` reachable from `roots`, and the files walked.
export function forbiddenImports(roots: readonly string[], forbiddenPieces: readonly string[], forbiddenPackages: readonly string[]): { problems: string[]; seen: Set<string> } {
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
    for (const name of packages) if (forbiddenPackages.includes(name)) problems.push(`${path.relative(SRC, file)} → ${name}`);
  }
  return { problems, seen };
}
