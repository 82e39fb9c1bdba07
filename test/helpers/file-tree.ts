// Temp directory trees for tests that read fixture file systems (sysfs, /proc): `tree({ path: content })`
// writes the files under a fresh temp root and returns it; every root is removed after the test file.
import { after } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

// A temp root with the given files (path → content).
export function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'wdmoe-sysfs-'));
  roots.push(root);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}
