// The BS side of the reproducibility record (run.json "environment"): Node, OS, arch, the installed
// version of each of wdmoe's dependencies, and the git commit of the wdmoe checkout it runs from
// (null when it is not a git checkout, e.g. an npm install). Called by bench/run-dir.ts at a run's first start.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunMeta } from '../records/index.js';

export type RunEnvironment = NonNullable<RunMeta['environment']>;

// The folder holding wdmoe's package.json, found upwards from this module (src/ under tsx, dist/ when built).
function packageRoot(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return null;
}

function git(root: string, args: string[]): string | null {
  try {
    return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function installedVersion(root: string, name: string): string | null {
  try {
    return (JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

// Collects the environment of this BS process.
export function collectEnvironment(): RunEnvironment {
  const root = packageRoot();
  const manifest = root === null ? {} : (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> });
  const dependencies = Object.fromEntries(Object.keys(manifest.dependencies ?? {}).sort().map((name) => [name, root === null ? null : installedVersion(root, name)]));
  const isCheckout = root !== null && git(root, ['rev-parse', '--is-inside-work-tree']) === 'true';
  const status = isCheckout ? git(root, ['status', '--porcelain', '--untracked-files=no']) : null;
  return {
    node: process.versions.node,
    platform: process.platform,
    arch: process.arch,
    os: `${os.type()} ${os.release()}`,
    dependencies,
    gitCommit: isCheckout ? git(root, ['rev-parse', 'HEAD']) : null,
    isGitDirty: status === null ? null : status.length > 0,
  };
}
