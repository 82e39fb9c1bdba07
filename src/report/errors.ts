// ReportError: what `wdmoe report` cannot report — a missing or empty run folder, an unknown --baseline.
// Thrown by report/; rendered only by cli/main.ts (exit 2, no stack trace).

import { EXIT_BAD_INPUT, WdmoeError } from '../core/index.js';

// A bad report request; the message names the folder or flag, the hint says what to pass instead.
export class ReportError extends WdmoeError {
  constructor(code: 'report-no-run' | 'report-baseline', message: string, hint: string) {
    super(code, message, { hint, exitCode: EXIT_BAD_INPUT });
  }
}
