// `wdmoe deploy <testbed>`: push the agent and each device's shards over ssh and start the agents.
// The deploy piece (and ssh2 with it) is imported when the command runs, so `wdmoe agent` never loads it.
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import ora from 'ora';
import { type Action, type CommandContext, logLine, printResult } from '../context.js';
import { requireTestbed } from '../testbed-arg.js';
import { resolveStateDir } from './loopback.js';

// --concurrency: a positive integer.
export function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export const SSH_CONFIG_HELP = 'ssh config file with Host entries (default: ~/.ssh/config)';

export function registerDeploy(program: Command, context: CommandContext, action: Action): void {
  program
    .command('deploy')
    .description('upload the agent and each device\'s expert shards over ssh (unchanged files skipped) and start the agents')
    .argument('<testbed>', 'testbed YAML file (mode: ssh)')
    .option('--dry-run', 'connect and print what would be uploaded (files, sizes); change nothing')
    .option('--accept-new', 'trust and record host keys not yet in known_hosts (a changed key still stops)')
    .option('--concurrency <n>', 'devices handled at once', parseConcurrency, 4)
    .option('--ssh-config <file>', SSH_CONFIG_HELP)
    .option('--state-dir <dir>', 'where deploy keeps its cache of local files\' sha256s (default: .wdmoe or $WDMOE_STATE_DIR)')
    .option('--verbose', 'say where each device\'s ssh settings (and a python device\'s interpreter) came from (testbed YAML, ssh config, default)')
    .option('--json', 'print the result as JSON')
    .action(
      action(async (file: string, flags: { dryRun?: boolean; acceptNew?: boolean; concurrency: number; sshConfig?: string; stateDir?: string; verbose?: boolean; json?: boolean }) => {
        const testbed = await requireTestbed(file);
        const { deploy, defaultSshConfigSource, formatBytes } = await import('../../deploy/index.js');
        const sshConfig = { ...defaultSshConfigSource(), ...(flags.sshConfig === undefined ? {} : { file: flags.sshConfig }) };
        const hashCacheFile = path.join(resolveStateDir(flags.stateDir), 'deploy-sha256-cache.json');
        const options = Object.freeze({ testbed, dryRun: flags.dryRun === true, acceptNew: flags.acceptNew === true, concurrency: flags.concurrency, sshConfig, hashCacheFile, verbose: flags.verbose === true });
        const progress = createDeviceProgress(testbed.devices.map((device) => device.name), context.stderrIsTty && flags.json !== true);
        const result = await deploy(options, { signal: context.signal, onEvent: (event) => progress.line(event.device, event.text) }).finally(() => progress.stop());
        printResult(flags.json === true, result, () =>
          [
            ...result.devices.map((d) => {
              const head = `${d.device}  ${d.host}  ${d.arch}  upload ${d.plan.uploadFiles} file(s) ${formatBytes(d.plan.uploadBytes)}, skip ${d.plan.skipFiles} (${formatBytes(d.plan.skipBytes)})`;
              const agent = result.dryRun ? `agent ${d.agent.state === 'running' ? 'running, would be kept' : 'would be started'}` : `agent ${d.agent.state} pid ${d.agent.pid}`;
              const files = result.dryRun ? d.plan.upload.slice(0, 20).map((f) => `    ${f.path}  ${formatBytes(f.bytes)}`).concat(d.plan.upload.length > 20 ? [`    … ${d.plan.upload.length - 20} more`] : []) : [];
              return [`${head}, ${agent}`, ...files].join('\n');
            }),
            `${result.dryRun ? 'would upload' : 'uploaded'} ${formatBytes(result.devices.reduce((total, d) => total + d.plan.uploadBytes, 0))} in ${result.ms} ms`,
          ].join('\n'),
        );
      }),
    );
}

// One progress line per device: on a TTY an ora spinner whose lines show each device's latest step,
// printed for good when the command ends; otherwise plain `[device] …` lines as they come.
function createDeviceProgress(devices: readonly string[], isTty: boolean): { line: (device: string, text: string) => void; stop: () => void } {
  // A terminal that reports no width (a bare pty) would make ora clear lines without end: plain lines there.
  if (!isTty || !(process.stderr.columns > 0)) return { line: (device, text) => logLine(text, device), stop: () => undefined };
  const latest = new Map(devices.map((device) => [device, 'waiting']));
  const render = () => [...latest].map(([device, text]) => `[${device}] ${text}`).join('\n');
  // discardStdin off: ora's stdin discarder puts the terminal in raw mode, and Ctrl-C must stay SIGINT.
  const spinner = ora({ text: render(), stream: process.stderr, discardStdin: false }).start();
  return {
    line: (device, text) => {
      latest.set(device, text);
      spinner.text = render();
    },
    stop: () => {
      spinner.stop();
      process.stderr.write(`${render()}\n`);
    },
  };
}
