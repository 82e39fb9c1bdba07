// What every command action receives: the root abort signal and the global flags.
// Commands turn their flags into a frozen options object and call one core function.

export interface CommandContext {
  readonly signal: AbortSignal;
  readonly debug: boolean;
  readonly stdoutIsTty: boolean;
  readonly stderrIsTty: boolean;
}

// Wraps a command's action so errors are rendered in one place (cli/main.ts gives it to every command).
export type Action = <A extends unknown[]>(run: (...args: A) => Promise<void>) => (...args: A) => Promise<void>;

// Prints a result: JSON when asked, else the command's own text rendering.
export function printResult(json: boolean, data: unknown, render: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${render()}\n`);
}

// A plain progress line on stderr (no spinner), prefixed with a device name when there is one.
export function logLine(text: string, device?: string): void {
  process.stderr.write(device === undefined ? `${text}\n` : `[${device}] ${text}\n`);
}
