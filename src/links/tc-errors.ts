// Errors of kernel link shaping (tc-detect, tc-apply): a tc/ip command the kernel refused, a missing
// feature, no root. Imported by links/tc-*.ts and re-exported by links/index.ts; core only.
import { EXIT_RUN_FAILED, WdmoeError } from '../core/index.js';

// A tc or ip command failed, or the kernel lacks what a plan needs.
export class TcError extends WdmoeError {
  readonly command: readonly string[] | undefined;
  constructor(code: string, message: string, options: { command?: readonly string[]; hint?: string; cause?: unknown; exitCode?: number } = {}) {
    super(code, message, { hint: options.hint, cause: options.cause, exitCode: options.exitCode ?? EXIT_RUN_FAILED });
    this.command = options.command;
  }
}
