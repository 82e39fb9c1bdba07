// Errors of userspace link shaping: a transfer asked for something a link cannot do (e.g. a rate of 0).
// Kernel shaping's errors are in tc-errors.ts. Imported by links/ only; core only.
import { EXIT_RUN_FAILED, WdmoeError } from '../core/index.js';

// A link was asked to carry bytes it never could, or was set up wrongly at run time.
export class LinkError extends WdmoeError {
  constructor(code: string, message: string, hint: string) {
    super(code, message, { hint, exitCode: EXIT_RUN_FAILED });
  }
}
