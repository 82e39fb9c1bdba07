// Reads a JSON Lines dataset file into `{line, record}` pairs: one JSON object per non-blank line.
// A line that is not a JSON object is an error naming `file:line`. Called by load-dataset.ts.

import { readFile } from 'node:fs/promises';
import { DatasetError } from './errors.js';
import { describeJsonType, type JsonRecord } from './fields.js';

export interface NumberedRecord {
  readonly line: number;
  readonly record: JsonRecord;
}

// Every object in the file with its 1-based line number; blank lines are skipped, a UTF-8 BOM ignored.
export async function readJsonlRecords(file: string): Promise<NumberedRecord[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new DatasetError('dataset-read', `dataset ${file}: cannot read: ${code}`, { file, cause: error });
  }
  const records: NumberedRecord[] = [];
  text.replace(/^\uFEFF/, '').split('\n').forEach((raw, index) => {
    const source = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (source.trim() === '') return;
    const at = { file, line: index + 1 };
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      throw DatasetError.atRecord(at, `not valid JSON: ${(error as Error).message}`, 'each line must be one JSON object (JSON Lines)');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw DatasetError.atRecord(at, `expected a JSON object, got ${describeJsonType(value)}`, 'each line must be one JSON object (JSON Lines)');
    }
    records.push({ line: at.line, record: value as JsonRecord });
  });
  return records;
}
