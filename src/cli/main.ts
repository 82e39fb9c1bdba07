// The wdmoe command line: commander wiring only. Parses flags, calls one core function per command,
// prints. The one place that renders errors, maps exit codes and handles SIGINT/SIGTERM
// (first signal: abort and unwind; second: exit at once, children killed by execa's cleanup).
import { setMaxListeners } from 'node:events';
import { Command } from 'commander';
import { InternalError, WdmoeError } from '../core/index.js';
import { renderError } from './errors-render.js';
import { EXIT_CODES, EXIT_CODES_HELP } from './exit-codes.js';
import type { CommandContext } from './context.js';
import { registerValidate } from './commands/validate.js';
import { registerAgent } from './commands/agent.js';
import { registerLoopback } from './commands/loopback.js';
import { registerBench } from './commands/bench.js';
import { registerReport } from './commands/report.js';
import { registerDeploy } from './commands/deploy.js';
import { registerStatus } from './commands/status.js';
import { registerTeardown } from './commands/teardown.js';
import { registerProfile } from './commands/profile.js';
import { registerSimulate } from './commands/simulate.js';

const root = new AbortController();
// Every device's start, handshake and in-flight request listens on the root signal at once (and execa adds its
// own per child): 8 devices already pass Node's default of 10, and lab testbeds have more. The listeners are
// removed when each call ends, so this is not a leak; raise the warning threshold well above any testbed size.
setMaxListeners(4096, root.signal);
let signalled: NodeJS.Signals | undefined;

function onSignal(name: NodeJS.Signals): void {
  if (signalled !== undefined) process.exit(name === 'SIGINT' ? EXIT_CODES.sigint : EXIT_CODES.sigterm);
  signalled = name;
  const isBench = process.argv.slice(2).includes('bench');
  root.abort(
    new WdmoeError('interrupted', `interrupted by ${name}`, {
      exitCode: name === 'SIGINT' ? EXIT_CODES.sigint : EXIT_CODES.sigterm,
      hint: isBench ? 'results written so far are kept; rerun with --resume to carry on' : undefined,
    }),
  );
}
// Last resort: a promise nobody awaited is a wdmoe bug; report it in the one error format (with its stack)
// instead of Node's crash dump, and let the command's own error handling and cleanup finish.
process.on('unhandledRejection', (reason) => {
  process.exitCode = Math.max(Number(process.exitCode ?? 0), renderError(new InternalError(`unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`, reason), true));
});
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

const debug = process.argv.includes('--debug') || process.env['WDMOE_DEBUG'] === '1';
const context: CommandContext = {
  signal: root.signal,
  debug,
  stdoutIsTty: process.stdout.isTTY === true,
  stderrIsTty: process.stderr.isTTY === true,
};

// Wraps a command action: errors are rendered here and only here.
export function action<A extends unknown[]>(run: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await run(...args);
      if (signalled !== undefined) process.exitCode = signalled === 'SIGINT' ? EXIT_CODES.sigint : EXIT_CODES.sigterm;
    } catch (error) {
      const interrupted = signalled !== undefined;
      // After a signal, whatever the abort made fail (a device request, a wait) is a consequence:
      // say "interrupted" (with the resume hint), and show the consequence only with --debug.
      if (interrupted && debug && error !== root.signal.reason) renderError(error, debug);
      process.exitCode = renderError(interrupted ? root.signal.reason : error, debug);
      if (interrupted) process.exitCode = signalled === 'SIGINT' ? EXIT_CODES.sigint : EXIT_CODES.sigterm;
    }
  };
}

const program = new Command()
  .name('wdmoe')
  .description('Wireless distributed Mixture-of-Experts testbed: run an MoE model split between a base station and expert devices over shaped links, and report latency and accuracy.')
  .version('0.1.0')
  .option('--debug', 'show stack traces (also WDMOE_DEBUG=1)')
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText('after', `\n${EXIT_CODES_HELP}\n\nQuick start:\n  wdmoe bench testbeds/loopback.yaml --limit 20\n  wdmoe report runs/<id>`)
  .exitOverride((error) => {
    // commander's own usage errors: exit 2 (0 for --help / --version).
    process.exit(error.exitCode === 0 ? 0 : EXIT_CODES.badInput);
  });

registerValidate(program, context, action);
registerBench(program, context, action);
registerReport(program, context, action);
registerProfile(program, context, action);
registerSimulate(program, context, action);
registerLoopback(program, context, action);
registerDeploy(program, context, action);
registerStatus(program, context, action);
registerTeardown(program, context, action);
registerAgent(program, context, action);
// Every command's --help ends with the exit codes too (loopback's up/down included).
const withExitCodes = (command: Command): void => {
  for (const sub of command.commands) {
    sub.addHelpText('after', `\n${EXIT_CODES_HELP}`);
    withExitCodes(sub);
  }
};
withExitCodes(program);

await program.parseAsync(process.argv);
