// Errors of the loopback piece: agents that will not start, stale or foreign state.
import { EXIT_RUN_FAILED, WdmoeError } from '../core/index.js';

// A local agent process failed to start or stop.
export class LoopbackError extends WdmoeError {
  readonly device: string | undefined;
  constructor(code: string, message: string, options: { device?: string; hint?: string; cause?: unknown; exitCode?: number } = {}) {
    super(code, message, { hint: options.hint, cause: options.cause, exitCode: options.exitCode ?? EXIT_RUN_FAILED });
    this.device = options.device;
  }
}
