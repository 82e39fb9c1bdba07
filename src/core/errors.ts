// The one base error of wdmoe. Every piece subclasses it in <piece>/errors.ts;
// only cli/main.ts renders it (`error[code]: message` + `hint: …`) and maps exitCode.
// Imported by every piece, the agent included: it must stay dependency-free.

// Exit codes used across the tool (cli/exit-codes.ts documents them in --help).
export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

export interface WdmoeErrorOptions {
  hint?: string;
  exitCode?: number;
  cause?: unknown;
}

// A user-facing failure with a stable code, a hint saying what to do, and the exit code it maps to.
export class WdmoeError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(code: string, message: string, options: WdmoeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT_RUN_FAILED;
  }
}

// A bug in wdmoe itself, never a user mistake: always shown with its stack.
export class InternalError extends WdmoeError {
  constructor(message: string, cause?: unknown) {
    super('internal', message, {
      hint: 'this is a bug in wdmoe; please report it with the output of --debug',
      exitCode: EXIT_RUN_FAILED,
      cause,
    });
  }
}

// True when `error` is one of ours (so it has code/hint/exitCode).
export function isWdmoeError(error: unknown): error is WdmoeError {
  return error instanceof WdmoeError;
}
