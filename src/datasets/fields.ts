// Typed field access on one parsed JSON record, with `file:line: field "x": expected …, got …` errors.
// Used by every format reader in src/datasets/; nothing outside this folder needs it.

import { DatasetError } from './errors.js';
import type { RecordLocation } from './types.js';

export type JsonRecord = Readonly<Record<string, unknown>>;

// Names a JSON value's type the way a user reads it ("array", "null", "string").
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function fieldError(at: RecordLocation, field: string, expected: string, value: unknown): DatasetError {
  const got = value === undefined ? 'nothing (missing)' : `${describeJsonType(value)} ${JSON.stringify(value)?.slice(0, 40)}`;
  return DatasetError.atRecord(at, `field "${field}": expected ${expected}, got ${got}`);
}

// The value at a dotted path (`question.stem`), or undefined.
export function getPath(record: JsonRecord, path: string): unknown {
  let value: unknown = record;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

// A required string field.
export function readString(record: JsonRecord, path: string, at: RecordLocation): string {
  const value = getPath(record, path);
  if (typeof value !== 'string') throw fieldError(at, path, 'a string', value);
  return value;
}

// A required non-empty array of strings.
export function readStringArray(record: JsonRecord, path: string, at: RecordLocation): string[] {
  const value = getPath(record, path);
  if (!Array.isArray(value) || value.length === 0 || !value.every((entry) => typeof entry === 'string')) {
    throw fieldError(at, path, 'a non-empty array of strings', value);
  }
  return value as string[];
}

// A required index into `count` choices; accepts an integer or a string of digits ("2"), as HF dumps do.
export function readIndex(record: JsonRecord, path: string, count: number, at: RecordLocation): number {
  const value = getPath(record, path);
  const index = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count) {
    throw fieldError(at, path, `an integer index in 0..${count - 1}`, value);
  }
  return index;
}

// The record's id as a string when it has one under any of `keys`, else `line-<n>` (stable across runs).
export function readId(record: JsonRecord, keys: readonly string[], at: RecordLocation): string {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string' && value.length > 0) return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return `line-${at.line}`;
}
