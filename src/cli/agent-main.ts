// The device's entry: `wdmoe agent` alone (bin/wdmoe comes here when the first argument is `agent`), so a
// device's process loads commander, the agent and its expert compute, and none of the BS-side commands
// (bench, the tokenizer, ssh2, ora, cli-table3, execa, yaml, the report's charts). Same flags, errors, exit
// codes and signal handling as through cli/main.ts; test/cli/agent-main.test.ts walks its imports.
// First: the signal handlers are installed before any other module is evaluated.
import './signals.js';
import { actionFor, commandContext, installLastResort, rootProgram, runProgram } from './program.js';
import { registerAgent } from './commands/agent.js';

installLastResort();
const context = commandContext();
const program = rootProgram();
registerAgent(program, context, actionFor(context));
await runProgram(program);
