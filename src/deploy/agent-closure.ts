// What a device's Node agent loads: the built modules reachable from the agent's entries (bin/wdmoe loads
// dist/cli/signals.js, then dist/cli/agent-main.js for `wdmoe agent`), followed through static imports,
// re-exports and dynamic imports of a literal, with es-module-lexer, and the npm packages those modules
// import. Everything else in dist/ (bench, report, deploy, the tokenizer) and every package only the BS uses
// (ssh2, vega, ora, …) stays off the device. A dynamic import of a computed specifier cannot be followed: it
// is an error naming the file, so a change that adds one fails deploy's tests instead of a device at run time.
// Called by deploy/bundle.ts; test/cli/agent-main.test.ts checks a live agent loads nothing outside it.
import { readFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { init, parse } from 'es-module-lexer';

// Relative to the project root: the modules bin/wdmoe imports for `wdmoe agent`.
export const AGENT_ENTRIES: readonly string[] = ['dist/cli/signals.js', 'dist/cli/agent-main.js'];

export interface AgentClosure {
  readonly modules: readonly string[]; // absolute paths of the built modules, sorted
  readonly packages: readonly string[]; // npm package names imported by those modules, sorted
}

// The name of the package a bare specifier imports ("@scope/name/sub" → "@scope/name", "name/sub" → "name").
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

// Walks the agent's modules from `entries` (absolute paths of built .js files).
export async function agentClosure(entries: readonly string[]): Promise<AgentClosure> {
  await init;
  const modules = new Set<string>();
  const packages = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (modules.has(file)) continue;
    modules.add(file);
    let source: string;
    try {
      source = await readFile(file, 'utf8');
    } catch {
      throw new Error(`the agent imports ${file}, which does not exist (run npm run build)`);
    }
    const [imports] = parse(source, file);
    for (const entry of imports) {
      if (entry.type === 'import-meta') continue;
      const specifier = entry.specifier;
      if (specifier === undefined || (entry.type === 'dynamic' && entry.glob)) {
        throw new Error(`${file} has a dynamic import of a computed specifier (${source.slice(entry.importStart, entry.importEnd)}): the deploy bundle cannot tell what it loads; import a literal path`);
      }
      if (specifier.startsWith('.') || specifier.startsWith('/')) queue.push(path.resolve(path.dirname(file), specifier));
      else if (!isBuiltin(specifier)) packages.add(packageNameOf(specifier));
    }
  }
  return { modules: [...modules].sort(), packages: [...packages].sort() };
}
