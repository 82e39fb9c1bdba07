// `wdmoe profile <testbed>`: measure every device's expert compute time vs tokens and check its links;
// write the measured device profiles that bench's policies read. Prints a table (or JSON).
import { Command, InvalidArgumentError } from 'commander';
import Table from 'cli-table3';
import { runProfile, type ProfileResult } from '../../bench/index.js';
import { integer, positiveInt } from '../flag-parsers.js';
import { type Action, type CommandContext, logLine, printResult } from '../context.js';
import { resolveStateDir } from './loopback.js';

function tokenList(value: string): number[] {
  const tokens = value.split(',').map((v) => Number(v.trim()));
  if (tokens.length < 2 || tokens.some((n) => !Number.isInteger(n) || n <= 0) || new Set(tokens).size < 2) {
    throw new InvalidArgumentError('expected at least two different positive integers, e.g. 1,4,16,64');
  }
  return tokens;
}



const ms = (value: number) => value.toFixed(4);

function render(result: ProfileResult, color: boolean): string {
  const style = color ? undefined : { head: [], border: [] };
  const compute = new Table({ style, head: ['profile', 'devices', 'fixed ms', 'per token ms', 'residual ms', 'R²', 'before (fixed / per token)', 'written to'] });
  for (const p of result.profiles) {
    const before = p.previous === null ? '–' : `${ms(p.previous.fixedMs)} / ${ms(p.previous.perTokenMs)}${p.previous.isEstimate ? ' (estimate)' : ''}`;
    compute.push([p.name, p.devices.join(', '), ms(p.fit.fixedMs), ms(p.fit.perTokenMs), ms(p.fit.residualMs), p.fit.r2.toFixed(3), before, p.file ?? '(not written: --no-write)']);
  }
  const lines = ['Expert compute time = fixed + tokens × per_token (agent-reported, median of repeats)', compute.toString()];
  if (result.links.length > 0) {
    const links = new Table({ style, head: ['device', 'rows', 'down Mbit/s', 'up Mbit/s', 'expected ms', 'measured ms', 'protocol ms', 'error', ''] });
    const rate = (r: number | null) => (r === null ? 'unlimited' : (r / 1e6).toFixed(2));
    for (const l of result.links) links.push([l.device, l.rows, rate(l.downlinkRateBitsPerSec), rate(l.uplinkRateBitsPerSec), l.expectedMs.toFixed(2), l.measuredMs.toFixed(2), l.overheadMs.toFixed(2), `${(l.error * 100).toFixed(1)}%`, l.isOff ? 'OFF (> 5%)' : 'ok']);
    lines.push('', 'Link check: round trip minus device compute vs the link model (rate in force at an equal share)', links.toString());
  } else lines.push('', 'Link check: no shaped links to check');
  return lines.join('\n');
}

export function registerProfile(program: Command, context: CommandContext, action: Action): void {
  program
    .command('profile')
    .description('measure each device\'s expert compute time vs tokens (fitted fixed + per_token) and check its links; write the device profiles bench\'s policies read')
    .argument('<testbed>', 'testbed YAML file (loopback testbeds start their agents themselves)')
    .option('--out <dir>', 'where to write <profile>.yaml (default: profiles/ beside the testbed, searched before the bundled profiles)')
    .option('--no-write', 'measure and print only')
    .option('--tokens <list>', 'token counts to time, comma-separated', tokenList, [1, 2, 4, 8, 16, 32, 64, 128])
    .option('--repeats <n>', 'runs per token count, and link round trips per device (the median is kept)', positiveInt, 7)
    .option('--seed <n>', 'seed of the channel state the link check uses', integer, 0)
    .option('--state-dir <dir>', 'loopback state directory (default: .wdmoe or $WDMOE_STATE_DIR)')
    .option('--json', 'print the measurements as JSON')
    .action(
      action(async (testbedPath: string, flags: { out?: string; write: boolean; tokens: number[]; repeats: number; seed: number; stateDir?: string; json?: boolean }) => {
        const options = Object.freeze({
          testbedPath, outDir: flags.out ?? null, write: flags.write, tokens: flags.tokens, repeats: flags.repeats, seed: flags.seed,
          stateDir: resolveStateDir(flags.stateDir), tool: `wdmoe ${program.version() ?? ''}`.trim(),
        });
        const result = await runProfile(options, {
          signal: context.signal,
          onEvent: (event) => {
            if (flags.json === true) return;
            if (event.kind === 'warning') logLine(`warning: ${event.message}`);
            else if (event.kind === 'device-profiled') logLine(`compute ${event.fixedMs.toFixed(4)} ms + ${event.perTokenMs.toFixed(4)} ms/token`, event.device);
            else if (event.kind === 'agent-started') logLine(`agent started: pid ${event.pid}, port ${event.port}`, event.device);
          },
        });
        printResult(flags.json === true, result, () => render(result, context.stdoutIsTty));
      }),
    );
}
