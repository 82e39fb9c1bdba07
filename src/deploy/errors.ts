// Errors of the deploy piece: one device failed a phase (ssh, host key, preflight, upload, start,
// status, teardown). The message names the device; the hint says what to do. Core only.
import { EXIT_RUN_FAILED, WdmoeError } from '../core/index.js';

export type DeployPhase = 'config' | 'connect' | 'host-key' | 'auth' | 'preflight' | 'upload' | 'start' | 'status' | 'teardown';

// One device failed one phase of deploy/status/teardown.
export class DeployError extends WdmoeError {
  readonly device: string;
  readonly phase: DeployPhase;
  constructor(code: string, device: string, phase: DeployPhase, message: string, options: { hint?: string; cause?: unknown; exitCode?: number } = {}) {
    super(code, `device ${device}: ${message}`, { hint: options.hint, cause: options.cause, exitCode: options.exitCode ?? EXIT_RUN_FAILED });
    this.device = device;
    this.phase = phase;
  }
}

// Several devices failed: one line per device in the message, the first one's hint.
export class DeployFailedError extends WdmoeError {
  readonly failures: readonly DeployError[];
  constructor(what: string, failures: readonly DeployError[]) {
    // One failure: its own hint is the error's hint; several: each device's hint under its line.
    const lines = failures.map((failure) => `  ${failure.message}${failure.hint === undefined || failures.length === 1 ? '' : `\n    hint: ${failure.hint}`}`);
    super(failures.length === 1 ? failures[0]!.code : 'deploy-failed', `${what} failed on ${failures.length} device(s):\n${lines.join('\n')}`, {
      exitCode: Math.max(...failures.map((failure) => failure.exitCode)),
      hint: failures.length === 1 ? failures[0]!.hint : 'fix each device as its hint says, then run the command again (devices that succeeded are skipped)',
    });
    this.failures = failures;
  }
}
