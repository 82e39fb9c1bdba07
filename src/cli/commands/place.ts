// `wdmoe place <testbed> --from runs/<id> [--out FILE] [--policy a,b] [--iterations N] [--seed S] [--json]`:
// the placement advisor (sim/place.ts) — proposes an expert placement from a recorded run, prints its predicted
// latency per policy next to the testbed's own placement and the best single device, and writes the proposal
// as a testbed YAML (sim/place-yaml.ts). This file parses flags and prints.
import { Command } from 'commander';
import Table from 'cli-table3';
import path from 'node:path';
import { proposePlacement, SimError, writePlacementYaml, type PlaceReport } from '../../sim/index.js';
import { type Action, type CommandContext, printResult } from '../context.js';
import { integer, list, positiveInt } from '../flag-parsers.js';

const LABELS: Record<PlaceReport['predictions'][number]['name'], string> = {
  testbed: 'testbed\'s placement', greedy: 'greedy (popularity × finish time)', proposed: 'proposed (greedy + local search)', 'single-device': 'one device holds all',
};

function render(report: PlaceReport, outFile: string, color: boolean): string {
  const style = color ? undefined : { head: [], border: [] };
  const table = new Table({ style, head: ['placement', ...report.policies.map((policy) => `${policy} mean ms`), 'vs testbed'] });
  for (const p of report.predictions) {
    table.push([p.device === null ? LABELS[p.name] : `${LABELS[p.name]} (${p.device})`, ...report.policies.map((policy) => p.meanMs[policy]!.toFixed(1)), `×${(p.score / report.policies.length).toFixed(2)}`]);
  }
  const proposed = report.predictions.find((p) => p.name === 'proposed')!;
  const single = report.predictions.find((p) => p.name === 'single-device');
  const ratio = (score: number) => `×${(score / report.policies.length).toFixed(3)}`;
  const placement = Object.entries(report.placement).map(([device, specs]) => `  ${device}: ${specs.length === 0 ? '(nothing)' : specs.join(', ')}`);
  return [
    `Placement for ${report.testbed} from ${report.run}: predicted mean item latency (simulate --replay of the run with each placement)`,
    table.toString(),
    single === undefined
      ? 'no single device has the memory for every expert: no one-device comparison'
      : report.isSplitSlower
        ? `a split is SLOWER than running on one device: ${single.device} holding every expert is predicted at ${ratio(single.score)} of the testbed's placement, the best split scored at ${report.bestSplitScore === null ? '–' : ratio(report.bestSplitScore)}${report.devicesUsed === 1 ? `; so the proposal runs on ${single.device} alone` : ''}`
        : `the split is faster than running on one device (best: ${single.device}, ${ratio(single.score)} of the testbed's placement; the proposal ${ratio(proposed.score)})`,
    `proposed placement (${report.accepted} of ${report.evaluations} evaluations improved it; memory holds ${Object.entries(report.capacity).map(([d, n]) => `${d} ${n}`).join(', ')} experts):`,
    ...placement,
    `wrote ${outFile}; measure it: wdmoe bench ${outFile} --policy ${report.policies.join(',')}`,
  ].join('\n');
}

interface PlaceFlags { from?: string; out?: string; policy?: string[]; iterations: number; seed: number; json?: boolean }

export function registerPlace(program: Command, context: CommandContext, action: Action): void {
  program
    .command('place')
    .description('propose an expert placement (with replicas within each device\'s memory) from a recorded run\'s expert popularity, the device profiles and link states; predict it with the simulator; write it as a testbed YAML')
    .argument('<testbed>', 'testbed YAML the run was recorded on (its devices and current placement)')
    .option('--from <run>', 'run folder written by `wdmoe bench` on this testbed (layers format 2: routing and link states)')
    .option('--out <file>', 'testbed YAML to write (default: <testbed>-placed.yaml beside the testbed)')
    .option('--policy <specs>', 'policies to place for, comma-separated as in bench (default: the run\'s own)', list)
    .option('--iterations <n>', 'local-search moves tried, each scored by replaying the run', positiveInt, 200)
    .option('--seed <n>', 'seed of the local search', integer, 0)
    .option('--json', 'print the report as JSON')
    .action(
      action(async (testbed: string, flags: PlaceFlags) => {
        if (flags.from === undefined) throw new SimError('usage', 'give the run to learn from: --from runs/<id>', 'record one first: wdmoe bench <testbed> --policy topk,wdmoe --limit 5 --out runs/<id>');
        const outFile = flags.out ?? path.join(path.dirname(testbed), `${path.basename(testbed).replace(/\.ya?ml$/i, '')}-placed.yaml`);
        const { holders: _holders, ...report } = await proposePlacement(Object.freeze({ testbedPath: testbed, runDir: flags.from, policies: flags.policy ?? null, iterations: flags.iterations, seed: flags.seed, cwd: process.cwd() }));
        const proposed = report.predictions.find((p) => p.name === 'proposed')!;
        const comment = [
          `placement proposed by wdmoe place from ${flags.from} (docs/sim.md "Placement advisor"): predicted mean item latency`,
          ...report.policies.map((policy) => `  ${policy}: ${proposed.meanMs[policy]!.toFixed(1)} ms (testbed's own placement: ${report.predictions[0]!.meanMs[policy]!.toFixed(1)} ms)`),
        ].join('\n');
        await writePlacementYaml(testbed, outFile, report.placement, comment);
        printResult(flags.json === true, { ...report, out: path.resolve(outFile) }, () => render(report, outFile, context.stdoutIsTty));
      }),
    );
}
