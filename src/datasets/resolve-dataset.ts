// Turns `--dataset NAME|PATH` into a file: a path to an existing file is used as is; otherwise NAME is looked
// up as `datasets/<NAME>.jsonl` in the bundled folder. An unknown name lists the bundled sets with a did-you-mean.
// Called by load-dataset.ts; reads the file system, nothing else.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closest, distance } from 'fastest-levenshtein';
import { DatasetError } from './errors.js';

// The bundled sets' folder: `<package root>/datasets` (same depth from src/ and dist/).
export const BUNDLED_DATASETS_DIR = fileURLToPath(new URL('../../datasets/', import.meta.url));

// Names of the bundled sets (`add`, `add-gen`, …), sorted.
export function listBundledDatasets(datasetsDir: string = BUNDLED_DATASETS_DIR): string[] {
  if (!existsSync(datasetsDir)) return [];
  return readdirSync(datasetsDir)
    .filter((entry) => entry.endsWith('.jsonl'))
    .map((entry) => entry.slice(0, -'.jsonl'.length))
    .sort();
}

// The file to read and the name results are recorded under (bundled name, or the file's base name).
export function resolveDataset(nameOrPath: string, datasetsDir: string = BUNDLED_DATASETS_DIR): { name: string; path: string } {
  const asPath = resolve(nameOrPath);
  if (existsSync(asPath) && statSync(asPath).isFile()) {
    return { name: basename(asPath, extname(asPath)), path: asPath };
  }
  const looksLikePath = nameOrPath.includes('/') || nameOrPath.includes('\\') || extname(nameOrPath) !== '';
  const bundled = join(datasetsDir, `${nameOrPath}.jsonl`);
  if (!looksLikePath && existsSync(bundled)) return { name: nameOrPath, path: bundled };

  const names = listBundledDatasets(datasetsDir);
  const guess = names.length > 0 ? closest(nameOrPath, names) : undefined;
  const didYouMean = guess !== undefined && distance(nameOrPath, guess) <= Math.max(2, Math.floor(nameOrPath.length / 3))
    ? ` (did you mean "${guess}"?)`
    : '';
  const what = looksLikePath ? `dataset file ${asPath} does not exist` : `unknown dataset "${nameOrPath}"${didYouMean}`;
  const listed = names.length > 0 ? names.join(', ') : `(none found in ${datasetsDir})`;
  throw new DatasetError('dataset-not-found', what, {
    hint: `bundled datasets: ${listed}; or give a path to a .jsonl file`,
  });
}
