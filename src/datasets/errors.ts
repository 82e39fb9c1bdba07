// DatasetError: every user mistake in a dataset file or name (unknown name, bad line, unknown format).
// Thrown by the readers in src/datasets/; rendered only by cli/main.ts. Exit code 2 (bad input).

import { WdmoeError, EXIT_BAD_INPUT } from '../core/index.js';
import type { RecordLocation } from './types.js';

// A dataset that cannot be used as given; `file`/`line` say where when known.
export class DatasetError extends WdmoeError {
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(code: string, message: string, options: { file?: string; line?: number; hint?: string; cause?: unknown } = {}) {
    super(code, message, { hint: options.hint, exitCode: EXIT_BAD_INPUT, cause: options.cause });
    this.file = options.file;
    this.line = options.line;
  }

  // A problem with one record: the message starts with `file:line:`.
  static atRecord(at: RecordLocation, message: string, hint?: string): DatasetError {
    return new DatasetError('dataset-record', `${at.file}:${at.line}: ${message}`, { file: at.file, line: at.line, hint });
  }
}
