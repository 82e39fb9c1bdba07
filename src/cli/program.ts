// What both entries share (cli/main.ts: every command; cli/agent-main.ts: only `wdmoe agent`, for devices):
// the last-resort rejection handler, the command context, the action wrapper that renders every error in one
// place and maps exit codes, and the root program with its usage-error exit and exit-code help.
import { Command } from 'commander';
import { InternalError } from '../core/index.js';
import { exitCodeOf, interruptedBy, rootSignal } from './signals.js';
import { renderError } from './errors-render.js';
import { EXIT_CODES, EXIT_CODES_HELP } from './exit-codes.js';
import type { CommandContext } from './context.js';

// Last resort: a promise nobody awaited is a wdmoe bug; report it in the one error format (with its stack)
// instead of Node's crash dump, and let the command's own error handling and cleanup finish.
export function installLastResort(): void {
  process.on('unhandledRejection', (reason) => {
    process.exitCode = Math.max(Number(process.exitCode ?? 0), renderError(new InternalError(`unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`, reason), true));
  });
}

export function commandContext(): CommandContext {
  return {
    signal: rootSignal,
    debug: process.argv.includes('--debug') || process.env['WDMOE_DEBUG'] === '1',
    stdoutIsTty: process.stdout.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
  };
}

// Wraps a command action: errors are rendered here and only here.
export function actionFor(context: CommandContext): <A extends unknown[]>(run: (...args: A) => Promise<void>) => (...args: A) => Promise<void> {
  const { debug } = context;
  return <A extends unknown[]>(run: (...args: A) => Promise<void>) => async (...args: A) => {
    try {
      await run(...args);
      const signalled = interruptedBy();
      if (signalled !== undefined) process.exitCode = exitCodeOf(signalled);
    } catch (error) {
      const signalled = interruptedBy();
      const interrupted = signalled !== undefined;
      // After a signal, whatever the abort made fail (a device request, a wait) is a consequence:
      // say "interrupted" (with the resume hint), and show the consequence only with --debug.
      if (interrupted && debug && error !== rootSignal.reason) renderError(error, debug);
      process.exitCode = renderError(interrupted ? rootSignal.reason : error, debug);
      if (signalled !== undefined) process.exitCode = exitCodeOf(signalled);
    }
  };
}

// The root `wdmoe` program, before any command is registered.
export function rootProgram(): Command {
  return new Command()
    .name('wdmoe')
    .description('Wireless distributed Mixture-of-Experts testbed: run an MoE model split between a base station and expert devices over shaped links, and report latency and accuracy.')
    .version('0.1.0')
    .option('--debug', 'show stack traces (also WDMOE_DEBUG=1)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride((error) => {
      // commander's own usage errors: exit 2 (0 for --help / --version).
      process.exit(error.exitCode === 0 ? 0 : EXIT_CODES.badInput);
    });
}

// Every command's --help ends with the exit codes too (loopback's up/down included); then parse and run.
export async function runProgram(program: Command): Promise<void> {
  const withExitCodes = (command: Command): void => {
    for (const sub of command.commands) {
      sub.addHelpText('after', `\n${EXIT_CODES_HELP}`);
      withExitCodes(sub);
    }
  };
  withExitCodes(program);
  await program.parseAsync(process.argv);
  // After a signal the command has unwound its teardown stack: exit now instead of letting the event loop drain.
  // While Node closes its handles on a natural exit it puts SIGINT back to its default action, so a second
  // Ctrl-C in that window killed the process by signal (no exit 130, no "again" line) — seen in CI.
  if (interruptedBy() !== undefined) process.exit(process.exitCode);
}
