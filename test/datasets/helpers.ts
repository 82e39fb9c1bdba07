// Shared by the dataset tests: fixture paths and a temp-file writer.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIXTURES = new URL('../fixtures/datasets/', import.meta.url).pathname;
export const fixture = (name: string): string => join(FIXTURES, name);

// Writes `text` to a fresh temp file and returns its path.
export function writeTemp(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'wdmoe-ds-')), name);
  writeFileSync(path, text);
  return path;
}
