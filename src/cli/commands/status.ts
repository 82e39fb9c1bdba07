// `wdmoe status <testbed>`: each deployed agent's health (PING, protocol version, experts, STATS,
// pid/uptime/memory over ssh). Exit 1 when a device is down.
import { Command } from 'commander';
import { WdmoeError } from '../../core/index.js';
import { type Action, type CommandContext, printResult } from '../context.js';
import { requireTestbed } from '../testbed-arg.js';
import { parseConcurrency, SSH_CONFIG_HELP } from './deploy.js';

export function registerStatus(program: Command, context: CommandContext, action: Action): void {
  program
    .command('status')
    .description('show each device\'s agent: reachable, protocol version, experts loaded, uptime, memory, requests served')
    .argument('<testbed>', 'testbed YAML file (mode: ssh)')
    .option('--accept-new', 'trust and record host keys not yet in known_hosts')
    .option('--concurrency <n>', 'devices queried at once', parseConcurrency, 8)
    .option('--ssh-config <file>', SSH_CONFIG_HELP)
    .option('--json', 'print {"devices":[...]} as JSON')
    .action(
      action(async (file: string, flags: { acceptNew?: boolean; concurrency: number; sshConfig?: string; json?: boolean }) => {
        const testbed = await requireTestbed(file);
        const { statusOfDevices, defaultSshConfigSource, formatBytes } = await import('../../deploy/index.js');
        const sshConfig = { ...defaultSshConfigSource(), ...(flags.sshConfig === undefined ? {} : { file: flags.sshConfig }) };
        const devices = await statusOfDevices(Object.freeze({ testbed, acceptNew: flags.acceptNew === true, concurrency: flags.concurrency, sshConfig }), { signal: context.signal });
        printResult(flags.json === true, { devices }, () =>
          devices
            .map((d) =>
              d.isUp
                ? `${d.device}  up    ${d.host}:${d.port}  protocol v${d.protocolVersion}  ${d.experts} experts  rtt ${d.rttMs?.toFixed(2)} ms  pid ${d.pid ?? '?'}  uptime ${d.uptimeSec ?? '?'} s  rss ${d.rssBytes === null ? '?' : formatBytes(d.rssBytes)}  runs ${d.stats?.runServed} (errors ${d.stats?.runErrors})`
                : `${d.device}  DOWN  ${d.host}:${d.port}  ${d.error}`,
            )
            .join('\n'),
        );
        const down = devices.filter((d) => !d.isUp);
        if (down.length > 0) {
          throw new WdmoeError('devices-down', `${down.length} of ${devices.length} device(s) down: ${down.map((d) => d.device).join(', ')}`, { hint: `deploy them again: wdmoe deploy ${file}` });
        }
      }),
    );
}
