// Reads a run-folder JSON Lines file, tolerating what a kill can leave: a last line without its "\n" is
// torn and ignored (reported in `tornLine`), while a bad line anywhere else is corruption and an error.
// Each parsed value is checked against a zod schema (strict: exactly the documented keys).
// Used by records.ts, item-scores.ts and layer-log.ts.

import { existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import { RecordsError } from './errors.js';

export interface TolerantRead<T> {
  readonly records: T[];
  readonly tornLine: { line: number; bytes: number } | null;
}

// All committed lines of `file` (none if it does not exist), validated.
export function readJsonlTolerant<T>(file: string, schema: z.ZodType<T>): TolerantRead<T> {
  if (!existsSync(file)) return { records: [], tornLine: null };
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const tail = lines.pop()!;
  const tornLine = tail.length > 0 ? { line: lines.length + 1, bytes: Buffer.byteLength(tail) } : null;
  const records: T[] = [];
  lines.forEach((source, index) => {
    if (source.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      throw new RecordsError(file, index + 1, `not valid JSON: ${(error as Error).message}`);
    }
    const checked = schema.safeParse(value);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      const where = issue.path.length > 0 ? `field "${issue.path.join('.')}": ` : '';
      throw new RecordsError(file, index + 1, `${where}${issue.message}`);
    }
    records.push(checked.data);
  });
  return { records, tornLine };
}
