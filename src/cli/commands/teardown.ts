// `wdmoe teardown <testbed> [--purge]`: stop the agents deploy started, remove tc rules recorded for
// the testbed, and with --purge the uploaded files.
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { tcStateFilePath } from '../../links/index.js';
import { type Action, type CommandContext, printResult } from '../context.js';
import { requireTestbed } from '../testbed-arg.js';
import { parseConcurrency, SSH_CONFIG_HELP } from './deploy.js';
import { resolveStateDir } from './loopback.js';

export function registerTeardown(program: Command, context: CommandContext, action: Action): void {
  program
    .command('teardown')
    .description('stop every device\'s agent and remove the testbed\'s tc rules; --purge also removes the uploaded files')
    .argument('<testbed>', 'testbed YAML file (mode: ssh)')
    .option('--purge', 'remove what deploy uploaded (agent, shards, logs) from each device')
    .option('--accept-new', 'trust and record host keys not yet in known_hosts')
    .option('--concurrency <n>', 'devices handled at once', parseConcurrency, 8)
    .option('--ssh-config <file>', SSH_CONFIG_HELP)
    .option('--state-dir <dir>', 'where tc state lives (default: .wdmoe or $WDMOE_STATE_DIR)')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (file: string, flags: { purge?: boolean; acceptNew?: boolean; concurrency: number; sshConfig?: string; stateDir?: string; json?: boolean }) => {
        const testbed = await requireTestbed(file);
        const { teardown, defaultSshConfigSource } = await import('../../deploy/index.js');
        const sshConfig = { ...defaultSshConfigSource(), ...(flags.sshConfig === undefined ? {} : { file: flags.sshConfig }) };
        const tcStateFile = tcStateFilePath(resolveStateDir(flags.stateDir), testbed.file);
        const result = await teardown(
          Object.freeze({ testbed, purge: flags.purge === true, acceptNew: flags.acceptNew === true, concurrency: flags.concurrency, sshConfig, tcStateFile: existsSync(tcStateFile) ? tcStateFile : null }),
          { signal: context.signal },
        );
        printResult(flags.json === true, result, () =>
          [...result.devices.map((d) => `${d.device}  ${d.stoppedPid === null ? 'no agent running' : `agent pid ${d.stoppedPid} stopped`}${d.purged ? ', files removed' : ''}`), `tc objects removed: ${result.tcObjectsRemoved}`].join('\n'),
        );
      }),
    );
}
