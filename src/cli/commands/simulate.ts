// `wdmoe simulate --replay runs/<id> [--policy a,b] [--no-calibrate] [--json]`: the papers' latency model
// re-run on a recorded bench run's routing and link states, predicted vs measured per policy. The work is
// sim/'s replayRun; this file parses flags and prints.
import { Command } from 'commander';
import Table from 'cli-table3';
import { replayRun, SimError, type ReplayReport } from '../../sim/index.js';
import { type Action, type CommandContext, printResult } from '../context.js';

function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter((v) => v !== '')];
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const ms = (value: number) => value.toFixed(1);
const percent = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}%`;

function render(report: ReplayReport, color: boolean): string {
  const style = color ? undefined : { head: [], border: [] };
  const table = new Table({ style, head: ['policy', 'items', 'predicted mean', 'measured mean', 'error', 'predicted p90', 'measured p90', 'error', 'same decisions', ''] });
  for (const p of report.policies) {
    const within = p.isWithinTolerance === null ? '(not measured)' : p.isWithinTolerance ? 'ok' : 'MISS';
    const label = p.routingFrom === p.policy ? p.policy : `${p.policy} (on ${p.routingFrom}'s routing)`;
    table.push([label, p.items, ms(p.predicted.mean), p.measured === null ? '–' : ms(p.measured.mean), p.error === null ? '–' : percent(p.error.mean),
      ms(p.predicted.p90), p.measured === null ? '–' : ms(p.measured.p90), p.error === null ? '–' : percent(p.error.p90),
      p.sameDecisions === null ? '–' : `${(p.sameDecisions * 100).toFixed(1)}%`, within]);
  }
  const c = report.calibration;
  return [
    `Replay of ${report.run}: item latency in ms, predicted by the link model vs measured by bench (tolerance: mean ${report.tolerance.mean * 100}%, p90 ${report.tolerance.p90 * 100}%)`,
    table.toString(),
    c.residualsMs.length === 0
      ? 'bare link model (--no-calibrate)'
      : `calibration (fitted from ${report.calibratedOn}'s layers.jsonl): ${c.fanOutMs.toFixed(3)} ms per fan-out (its share of the RUNs' residual included), per device RUN a spread of p10 ${quantile(c.residualsMs, 0.1).toFixed(2)} / p90 ${quantile(c.residualsMs, 0.9).toFixed(2)} ms (${c.runs} RUNs), ${c.combineMs.toFixed(3)} ms per layer combine`,
  ].join('\n');
}

export function registerSimulate(program: Command, context: CommandContext, action: Action): void {
  program
    .command('simulate')
    .description('the papers\' latency model with the policies bench runs: --replay a recorded run and compare predicted with measured latency')
    .requiredOption('--replay <run>', 'run folder written by `wdmoe bench` (layers format 2)')
    .option('--policy <specs>', 'policies to replay, comma-separated as in bench (topk,wdmoe:theta=0.5,./my-policy.mjs; default: the run\'s own)', list)
    .option('--no-calibrate', 'the bare link model: no protocol overhead or compute scale fitted from the run')
    .option('--calibrate-from <run>', 'fit the calibration on this other run folder of the same testbed (an out-of-sample check) instead of the replayed one')
    .option('--json', 'print the report, with every item\'s prediction, as JSON')
    .action(
      action(async (flags: { replay: string; policy?: string[]; calibrate: boolean; calibrateFrom?: string; json?: boolean }) => {
        if (flags.replay.trim() === '') throw new SimError('usage', '--replay needs a run folder', 'wdmoe simulate --replay runs/<id>');
        const report = await replayRun(Object.freeze({ runDir: flags.replay, policies: flags.policy ?? null, calibrate: flags.calibrate, calibrateFrom: flags.calibrateFrom ?? null, cwd: process.cwd() }));
        for (const warning of report.warnings) process.stderr.write(`warning: ${warning}\n`);
        printResult(flags.json === true, report, () => render(report, context.stdoutIsTty));
      }),
    );
}
