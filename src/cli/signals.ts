// SIGINT/SIGTERM for the whole command line. Imported first by cli/main.ts so that the handlers are in
// place before the heavy modules (onnxruntime, ssh2) are evaluated: a Ctrl-C during startup already gets
// the exit code and message below instead of Node's default death. First signal: abort the root signal,
// which every command passes down, so it unwinds its teardown stack. Second: exit at once; the teardown
// stacks' exit fallbacks (core/teardown-stack.ts) still kill recorded pids and remove recorded namespaces.
// Imports only core/ and exit-codes.ts.
import { setMaxListeners } from 'node:events';
import { WdmoeError } from '../core/index.js';
import { EXIT_CODES } from './exit-codes.js';

const root = new AbortController();
// Every device's start, handshake and in-flight request listens on the root signal at once (and execa adds its
// own per child): 8 devices already pass Node's default of 10, and lab testbeds have more. The listeners are
// removed when each call ends, so this is not a leak; raise the warning threshold well above any testbed size.
setMaxListeners(4096, root.signal);
let signalled: NodeJS.Signals | undefined;

// The signal every command runs under; aborted (reason: the `interrupted` WdmoeError) on the first signal.
export const rootSignal: AbortSignal = root.signal;

// The signal that interrupted this process, if one did.
export function interruptedBy(): NodeJS.Signals | undefined {
  return signalled;
}

// 130 after SIGINT, 143 after SIGTERM.
export function exitCodeOf(name: NodeJS.Signals): number {
  return name === 'SIGINT' ? EXIT_CODES.sigint : EXIT_CODES.sigterm;
}

function onSignal(name: NodeJS.Signals): void {
  if (signalled !== undefined) {
    process.stderr.write(`${name} again: exiting now (killing recorded processes; the next start removes anything left)\n`);
    process.exit(exitCodeOf(name));
  }
  signalled = name;
  process.stderr.write(`${name}: stopping and cleaning up (${name === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again to exit at once)\n`);
  const isBench = process.argv.slice(2).includes('bench');
  root.abort(
    new WdmoeError('interrupted', `interrupted by ${name}`, {
      exitCode: exitCodeOf(name),
      hint: isBench ? 'results written so far are kept; rerun with --resume to carry on' : undefined,
    }),
  );
}
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));
