// Loads a dataset by name or path: resolve → read JSON Lines → pick the format (given, or detected from the
// first record) → parse every record with that format's reader → check ids are unique.
// Called by bench/run.ts (`--dataset`, `--format`, `--task`). Returns data; never prints.

import { DatasetError } from './errors.js';
import { detectFormat, FORMAT_FIELDS, listFields } from './detect-format.js';
import type { JsonRecord } from './fields.js';
import { parseArcRecord } from './arc.js';
import { parseBoolqRecord } from './boolq.js';
import { parseHellaswagRecord } from './hellaswag.js';
import { parseMmluRecord } from './mmlu.js';
import { parsePiqaRecord } from './piqa.js';
import { parseGenRecord, parsePlainRecord } from './plain.js';
import { readJsonlRecords } from './read-jsonl.js';
import { resolveDataset, BUNDLED_DATASETS_DIR } from './resolve-dataset.js';
import {
  DATASET_FORMATS, MC_FORMATS,
  type DatasetFormat, type GenItem, type LoadedDataset, type McFormat, type McItem, type RecordLocation,
} from './types.js';

// Readers by format name (one registry, as for policies and shapers).
export const MC_READERS: Readonly<Record<McFormat, (record: JsonRecord, at: RecordLocation) => McItem>> = {
  jsonl: parsePlainRecord,
  arc: parseArcRecord,
  piqa: parsePiqaRecord,
  hellaswag: parseHellaswagRecord,
  boolq: parseBoolqRecord,
  mmlu: parseMmluRecord,
};

export interface LoadDatasetOptions {
  readonly dataset: string;                     // bundled name or path
  readonly format?: DatasetFormat | 'auto';     // default 'auto'
  readonly datasetsDir?: string;                // default: the package's datasets/
}

function formatList(formats: readonly DatasetFormat[]): string {
  return formats.map((format) => `${format} (${FORMAT_FIELDS[format]})`).join('; ');
}

async function readAndPick(options: LoadDatasetOptions, accepted: readonly DatasetFormat[]) {
  const { name, path } = resolveDataset(options.dataset, options.datasetsDir ?? BUNDLED_DATASETS_DIR);
  const records = await readJsonlRecords(path);
  if (records.length === 0) throw new DatasetError('dataset-empty', `dataset ${path} has no records`, { file: path });
  const requested = options.format ?? 'auto';
  if (requested !== 'auto' && !DATASET_FORMATS.includes(requested)) {
    throw new DatasetError('dataset-format', `unknown dataset format "${String(requested)}"`, {
      hint: `accepted formats: auto, ${DATASET_FORMATS.join(', ')}`,
    });
  }
  const first = records[0]!;
  const format = requested === 'auto' ? detectFormat(first.record) : requested;
  if (format === null) {
    throw new DatasetError(
      'dataset-format',
      `${path}:${first.line}: no known dataset format has these fields: ${listFields(first.record).join(', ') || '(none)'}`,
      { file: path, line: first.line, hint: `accepted formats and their fields: ${formatList(accepted)}; or pass --format` },
    );
  }
  if (!accepted.includes(format)) {
    const generation = format === 'gen';
    throw new DatasetError('dataset-format', `${path}: is a ${generation ? 'generation' : 'multiple-choice'} set (format ${format})`, {
      file: path,
      hint: generation ? 'run it with --task generate' : 'run it with --task multiple-choice',
    });
  }
  return { name, path, format, records };
}

function checkUniqueIds(items: ReadonlyArray<{ id: string }>, lines: readonly number[], file: string): void {
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const earlier = seen.get(item.id);
    if (earlier !== undefined) {
      throw DatasetError.atRecord({ file, line: lines[index]! }, `duplicate id "${item.id}" (first on line ${earlier})`,
        'ids must be unique: results and --resume are keyed by them');
    }
    seen.set(item.id, lines[index]!);
  });
}

// A multiple-choice set in any of the MC formats.
export async function loadMcDataset(options: LoadDatasetOptions): Promise<LoadedDataset<McItem>> {
  const { name, path, format, records } = await readAndPick(options, MC_FORMATS);
  const read = MC_READERS[format as McFormat];
  const items = records.map(({ line, record }) => read(record, { file: path, line }));
  checkUniqueIds(items, records.map((entry) => entry.line), path);
  return { name, path, format, items };
}

// A generation set (`{id, context, answer}` lines).
export async function loadGenDataset(options: LoadDatasetOptions): Promise<LoadedDataset<GenItem>> {
  const { name, path, format, records } = await readAndPick(options, ['gen']);
  const items = records.map(({ line, record }) => parseGenRecord(record, { file: path, line }));
  checkUniqueIds(items, records.map((entry) => entry.line), path);
  return { name, path, format, items };
}
