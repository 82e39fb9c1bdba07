// The wdmoe command line: commander wiring of every command. Flags are parsed here and each command calls one
// core function and prints; errors are rendered and exit codes mapped in one place (program.ts's action
// wrapper); SIGINT/SIGTERM are handled by signals.ts (first signal: abort and unwind the command's teardown
// stack; second: exit at once — the teardown stacks' exit fallbacks kill recorded pids and remove recorded
// namespaces synchronously, execa's cleanup kills child processes, and what is still listed in a state file
// is removed by the next start). `wdmoe agent` on a device starts from cli/agent-main.ts instead (bin/wdmoe).
// First: the signal handlers are installed before any other module is evaluated.
import './signals.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { actionFor, commandContext, installLastResort, rootProgram, runProgram } from './program.js';
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
import { registerPlace } from './commands/place.js';

installLastResort();
const context = commandContext();
const action = actionFor(context);
const program = rootProgram().addHelpText('after', `\n${EXIT_CODES_HELP}\n\nQuick start:\n  wdmoe bench testbeds/loopback.yaml --limit 20\n  wdmoe report runs/<id>`);

registerValidate(program, context, action);
registerBench(program, context, action);
registerReport(program, context, action);
registerProfile(program, context, action);
registerSimulate(program, context, action);
registerPlace(program, context, action);
registerLoopback(program, context, action);
registerDeploy(program, context, action);
registerStatus(program, context, action);
registerTeardown(program, context, action);
registerAgent(program, context, action);
await runProgram(program);
