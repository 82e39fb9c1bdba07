// Renders any thrown value as `error[code]: message` + `hint: …` (stack only with --debug).
// Used only by cli/main.ts: the one place errors are printed and exit codes chosen.
import { InternalError, isWdmoeError } from '../core/index.js';
import { paint } from './color.js';
import { EXIT_CODES } from './exit-codes.js';

// Prints the error to stderr and returns the exit code it maps to.
export function renderError(error: unknown, debug: boolean): number {
  const known = isWdmoeError(error) ? error : new InternalError(error instanceof Error ? error.message : String(error), error);
  process.stderr.write(`${paint('red', `error[${known.code}]`)}: ${known.message}\n`);
  if (known.hint !== undefined) process.stderr.write(`${paint('dim', 'hint')}: ${known.hint}\n`);
  const showStack = debug || known instanceof InternalError;
  if (showStack) {
    const stackSource = known instanceof InternalError && error instanceof Error ? error : known;
    process.stderr.write(`${stackSource.stack ?? ''}\n`);
    let cause = (stackSource as Error).cause;
    while (debug && cause instanceof Error) {
      process.stderr.write(`caused by: ${cause.stack ?? cause.message}\n`);
      cause = cause.cause;
    }
  }
  return known.exitCode ?? EXIT_CODES.runFailed;
}
