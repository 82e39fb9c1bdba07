// Reads one JSON file of a run folder (run.json, sweep.json): its parsed value, or undefined when the folder
// has none; a file that is not JSON is a RecordsError naming it. The caller checks the shape (zod).
import { existsSync, readFileSync } from 'node:fs';
import { RecordsError } from './errors.js';

export function readJsonFile(file: string): unknown {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    throw new RecordsError(file, undefined, `not valid JSON: ${(error as Error).message}`);
  }
}
