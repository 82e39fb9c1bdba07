// RecordsError: a run folder's files cannot be read or trusted (corrupt line, unknown format version).
// Thrown by the record readers/writers in records/ (bench writes, report reads); rendered only by cli/main.ts.

import { WdmoeError, EXIT_BAD_INPUT } from '../core/index.js';

// A run-folder file that is corrupt or from an incompatible version; `file:line` in the message when known.
export class RecordsError extends WdmoeError {
  readonly file: string;
  readonly line: number | undefined;

  constructor(file: string, line: number | undefined, reason: string, hint?: string) {
    super('run-records', `${line === undefined ? file : `${file}:${line}`}: ${reason}`, {
      hint: hint ?? 'the run folder is damaged; start a fresh run with a new --out',
      exitCode: EXIT_BAD_INPUT,
    });
    this.file = file;
    this.line = line;
  }
}
