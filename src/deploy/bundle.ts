// What one device receives: the agent app (bin/wdmoe, package.json, the built modules `wdmoe agent` loads
// and the packages they import with those packages' own dependencies — agent-closure.ts — with
// onnxruntime's native binaries for the device's platform only: an arm64 device does not get the x64, darwin
// or win32 builds) and exactly that device's expert shards plus the bundle manifest. Lists and hashes local
// files; sends nothing. Called by deploy/deploy-device.ts.
import { existsSync, readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_ENTRIES, agentClosure } from './agent-closure.js';
import type { HashCache } from './hash-cache.js';

// One file to place on a device: `remote` is relative to the device's agent directory.
export interface BundleFile {
  readonly remote: string;
  readonly local: string;
  readonly bytes: number;
  readonly mode: number;
  readonly sha256: string;
}

export type DeviceArch = 'x64' | 'arm64';

// The project root (holds bin/, dist/, node_modules/), from dist/deploy or src/deploy alike.
export const PROJECT_ROOT = path.resolve(fileURLToPath(new URL('../../', import.meta.url)));

const SKIPPED_SUFFIXES = ['.map', '.md', '.markdown', '.d.ts', '.d.mts', '.d.cts', '.tsbuildinfo'];
const HASH_CONCURRENCY = 16;

// The agent app's files for a device of `arch` (Linux), hashed through `hashes` (shared across devices).
export async function listAgentFiles(root: string, arch: DeviceArch, hashes: HashCache): Promise<BundleFile[]> {
  const locals: Array<{ local: string; remote: string }> = [
    { local: path.join(root, 'bin', 'wdmoe'), remote: 'app/bin/wdmoe' },
    { local: path.join(root, 'package.json'), remote: 'app/package.json' },
  ];
  const closure = await agentClosure(AGENT_ENTRIES.map((entry) => path.join(root, entry)));
  for (const file of closure.modules) locals.push({ local: file, remote: `app/${path.relative(root, file)}` });
  for (const dir of packageDirs(root, closure.packages)) {
    for (const file of await walk(dir, (name) => name !== 'node_modules')) {
      const relative = path.relative(root, file);
      if (isForeignNative(relative, arch)) continue;
      locals.push({ local: file, remote: `app/${relative}` });
    }
  }
  return hashAll(locals.filter((entry) => !SKIPPED_SUFFIXES.some((suffix) => entry.local.endsWith(suffix))), hashes);
}

// The Python agent's files (runtime: python devices), under app/python/wdmoe_agent/.
export async function listPythonAgentFiles(root: string, hashes: HashCache): Promise<BundleFile[]> {
  const dir = path.join(root, 'python', 'wdmoe_agent');
  const files = (await walk(dir)).filter((file) => file.endsWith('.py'));
  return hashAll(files.map((local) => ({ local, remote: `app/${path.relative(root, local)}` })), hashes);
}

// The bundle manifest and the shards of `experts` ("layer.expert"), under model/.
export async function listModelFiles(modelDir: string, experts: readonly string[], hashes: HashCache): Promise<BundleFile[]> {
  const manifest = JSON.parse(readFileSync(path.join(modelDir, 'manifest.json'), 'utf8')) as { files: Array<{ role: string; path: string }> };
  const wanted = new Set(experts.map((key) => `expert.${key}`));
  const locals = [{ local: path.join(modelDir, 'manifest.json'), remote: 'model/manifest.json' }];
  for (const file of manifest.files) if (wanted.has(file.role)) locals.push({ local: path.join(modelDir, file.path), remote: `model/${file.path}` });
  return hashAll(locals, hashes);
}

// onnxruntime-node ships every platform's binaries under bin/napi-v*/<os>/<arch>/; a device gets its own.
// Other packages' compiled add-ons (ssh2, cpu-features: optional speed-ups) are left out for another arch.
function isForeignNative(relative: string, arch: DeviceArch): boolean {
  const parts = relative.split(path.sep);
  const napi = parts.findIndex((part) => part.startsWith('napi-v'));
  if (parts.includes('onnxruntime-node') && napi >= 0 && parts.length > napi + 2) return parts[napi + 1] !== 'linux' || parts[napi + 2] !== arch;
  return relative.endsWith('.node') && arch !== process.arch;
}

// The folders of `names` and their dependencies (each package.json's dependencies and optional ones, resolved
// as Node does).
function packageDirs(root: string, names: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (fromDir: string, name: string, optional: boolean) => {
    const dir = resolvePackageDir(root, fromDir, name);
    if (dir === undefined) {
      if (optional) return;
      throw new Error(`production dependency ${name} is not installed (run npm ci)`);
    }
    if (seen.has(dir)) return;
    seen.add(dir);
    const json = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys(json.dependencies ?? {})) visit(dir, dep, false);
    for (const dep of Object.keys(json.optionalDependencies ?? {})) visit(dir, dep, true);
  };
  for (const name of names) visit(root, name, false);
  return [...seen].sort();
}

function resolvePackageDir(root: string, fromDir: string, name: string): string | undefined {
  for (let dir = path.resolve(fromDir); dir.startsWith(path.resolve(root)); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === path.resolve(root)) break;
  }
  return undefined;
}

async function walk(dir: string, keep: (name: string) => boolean = () => true): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!keep(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full, keep)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

async function hashAll(entries: ReadonlyArray<{ local: string; remote: string }>, hashes: HashCache): Promise<BundleFile[]> {
  const out: BundleFile[] = new Array(entries.length);
  let next = 0;
  const worker = async () => {
    while (next < entries.length) {
      const index = next++;
      const entry = entries[index]!;
      const info = await stat(entry.local);
      const sha256 = await hashes.sha256(entry.local, info.size, info.mtimeMs);
      out[index] = { remote: entry.remote, local: entry.local, bytes: info.size, mode: info.mode & 0o111 ? 0o755 : 0o644, sha256 };
    }
  };
  await Promise.all(Array.from({ length: HASH_CONCURRENCY }, worker));
  return out;
}
