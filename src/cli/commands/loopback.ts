// `wdmoe loopback up|down <testbed>`: emulate the testbed's devices as local agent processes.
import path from 'node:path';
import { Command } from 'commander';
import { loopbackDown, loopbackUp, netnsDown, netnsStatePath, netnsUp } from '../../loopback/index.js';
import { type Action, type CommandContext, logLine, printResult } from '../context.js';
import { requireTestbed } from '../testbed-arg.js';

const STATE_DIR_HELP = 'where loopback state and agent logs live (default: .wdmoe in the current directory, or $WDMOE_STATE_DIR)';

// The state directory from the flag, WDMOE_STATE_DIR, or ./.wdmoe.
export function resolveStateDir(flag: string | undefined): string {
  return path.resolve(flag ?? process.env['WDMOE_STATE_DIR'] ?? '.wdmoe');
}

export function registerLoopback(program: Command, context: CommandContext, action: Action): void {
  const loopback = program.command('loopback').description('start or stop the testbed\'s devices as local agent processes (what CI uses)');
  loopback
    .command('up')
    .description('start one agent per device on this machine and record their pids/ports')
    .argument('<testbed>', 'testbed YAML file')
    .option('--json', 'print {"devices":[{name,host,port,pid}]} as JSON')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option('--netns', 'root: one network namespace per device with a real sshd and tc-shaped veth; prints the derived ssh testbed to deploy to')
    .action(
      action(async (file: string, flags: { json?: boolean; stateDir?: string; netns?: boolean }) => {
        const testbed = await requireTestbed(file);
        if (flags.netns === true) {
          const up = await netnsUp({ testbed, stateDir: resolveStateDir(flags.stateDir), signal: context.signal, onEvent: (event) => logLine(event.text, event.device) });
          logLine(up.links);
          printResult(flags.json === true, up, () => [`netns loopback ${up.alreadyUp ? 'already up' : 'up'} for ${testbed.name} (run ${up.run}; ${up.tc})`, ...up.devices.map((d) => `  ${d.name}  ${d.address}  ${d.netns}  ${d.veth}`), up.derivedTestbed].join('\n'));
          return;
        }
        const result = await loopbackUp({
          testbed,
          stateDir: resolveStateDir(flags.stateDir),
          signal: context.signal,
          onEvent: (event) => (event.kind === 'warning' ? logLine(`warning: ${event.message}`) : logLine(`agent started: pid ${event.pid}, port ${event.port}`, event.device)),
        });
        printResult(flags.json === true, { devices: result.devices }, () =>
          [
            result.alreadyUp ? `loopback already up for ${testbed.name}` : `loopback up for ${testbed.name}`,
            ...result.devices.map((d) => `  ${d.name}  ${d.host}:${d.port}  pid ${d.pid}`),
            `state: ${path.relative(process.cwd(), result.stateFile)}`,
          ].join('\n'),
        );
      }),
    );
  loopback
    .command('down')
    .description('stop the agents that `loopback up` started for this testbed')
    .argument('<testbed>', 'testbed YAML file')
    .option('--json', 'print {"stopped":[names]} as JSON')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option('--netns', 'remove the namespaces, veths, sshds, tc rules and keys of `loopback up --netns`')
    .action(
      action(async (file: string, flags: { json?: boolean; stateDir?: string; netns?: boolean }) => {
        const testbed = await requireTestbed(file);
        if (flags.netns === true) {
          const down = await netnsDown({ stateFile: netnsStatePath(resolveStateDir(flags.stateDir), testbed.file, testbed.name) });
          printResult(flags.json === true, down, () => (down.removed ? `removed ${down.namespaces.join(', ')}` : `no netns loopback was up for ${testbed.name}`));
          return;
        }
        const result = await loopbackDown({ testbed, stateDir: resolveStateDir(flags.stateDir) });
        printResult(flags.json === true, { stopped: result.stopped }, () =>
          result.stopped.length === 0 ? `no loopback agents were running for ${testbed.name}` : `stopped ${result.stopped.join(', ')}`,
        );
      }),
    );
}
