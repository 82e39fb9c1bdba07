// SimError: the simulator cannot run on what it was given (a replay folder without a per-layer log, or of a
// layers format without routing; a run's testbed or manifest of the wrong shape; bad --policy for replay).
// Thrown by sim/ and rendered only by cli/main.ts (exit 2: bad input).
import { EXIT_BAD_INPUT, WdmoeError } from '../core/index.js';

// Bad input to `wdmoe simulate`: `what` names the file or flag, the hint what to do.
export class SimError extends WdmoeError {
  constructor(code: string, message: string, hint: string, cause?: unknown) {
    super(`sim-${code}`, message, { hint, exitCode: EXIT_BAD_INPUT, cause });
  }
}
