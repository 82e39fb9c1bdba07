// `wdmoe agent`: the device-side server. The token comes from --token-file or WDMOE_TOKEN, never argv.
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { EXIT_BAD_INPUT, WdmoeError } from '../../core/index.js';
import { runAgent } from '../../agent/index.js';
import type { Action, CommandContext } from '../context.js';

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

// The shared token from --token-file or $WDMOE_TOKEN; a missing file is a user mistake (exit 2).
async function readToken(device: string, tokenFile: string | undefined): Promise<string | undefined> {
  if (tokenFile === undefined) return process.env['WDMOE_TOKEN'];
  try {
    return (await readFile(tokenFile, 'utf8')).trim();
  } catch (cause) {
    throw new WdmoeError('agent-no-token', `device ${device}: cannot read token file ${tokenFile} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, {
      exitCode: EXIT_BAD_INPUT,
      hint: 'pass the file holding the testbed\'s auth token, or set WDMOE_TOKEN',
    });
  }
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('expected a port number 0–65535');
  return port;
}

export function registerAgent(program: Command, context: CommandContext, action: Action): void {
  program
    .command('agent')
    .description('serve this device\'s experts over the wdmoe protocol (started by `loopback up` or bench on this machine, by hand on a device)')
    .requiredOption('--model <dir>', 'model bundle directory')
    .requiredOption('--device <name>', 'this device\'s name in the testbed')
    .option('--experts <list>', 'experts to load: "all" or layer.expert keys, comma-separated (e.g. 0.1,1.1)', 'all')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .requiredOption('--port <port>', 'TCP port to listen on (0 = any free port)', parsePort)
    .option('--threads <n>', 'onnxruntime threads per expert run', parsePositive, 1)
    .option('--parent-pid <pid>', 'exit when this process is gone (used by bench for the agents it starts)', parsePositive)
    .option('--token-file <file>', 'file holding the testbed\'s shared auth token (default: $WDMOE_TOKEN)')
    .action(
      action(async (flags: { model: string; device: string; experts: string; host: string; port: number; threads: number; tokenFile?: string; parentPid?: number }) => {
        const token = await readToken(flags.device, flags.tokenFile);
        if (token === undefined || token === '') {
          throw new WdmoeError('agent-no-token', `device ${flags.device}: no auth token`, { exitCode: EXIT_BAD_INPUT, hint: 'pass --token-file FILE or set WDMOE_TOKEN' });
        }
        const options = Object.freeze({
          modelDir: flags.model,
          device: flags.device,
          experts: flags.experts === 'all' ? ('all' as const) : flags.experts.split(',').filter((key) => key !== ''),
          host: flags.host,
          port: flags.port,
          token,
          intraOpThreads: flags.threads,
          parentPid: flags.parentPid,
        });
        await runAgent(options, { signal: context.signal, onReady: (ready) => process.stdout.write(`${JSON.stringify(ready)}\n`) });
      }),
    );
}
