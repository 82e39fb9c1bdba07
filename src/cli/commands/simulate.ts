// `wdmoe simulate --replay runs/<id> [--policy a,b] [--no-calibrate] [--json]`: the papers' latency model
// re-run on a recorded bench run's routing and link states, predicted vs measured per policy; and
// `wdmoe simulate <testbed> [--devices N] [--tokens N] [--model-shape …]`: the same model on synthesised routing at
// any scale. The work is sim/'s replayRun and simulateSynthetic; this file parses flags and prints.
import { Command, InvalidArgumentError } from 'commander';
import Table from 'cli-table3';
import { assertNewRunDir, encodeSweepCsv, parseSweep, replayRun, runSweepPoints, simulateSynthetic, SimError, writeSweepRun, writeSyntheticRun, type ReplayReport, type SyntheticReport } from '../../sim/index.js';
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

function renderSynthetic(report: SyntheticReport, color: boolean): string {
  const style = color ? undefined : { head: [], border: [] };
  const table = new Table({ style, head: ['policy', 'mean', 'p50', 'p90', 'p99', 'bs', 'downlink', 'compute', 'uplink', 'experts dropped', 'devices/layer', 'critical share'] });
  for (const p of report.policies) {
    const b = p.breakdown;
    const total = p.experts.kept + p.experts.dropped;
    table.push([p.policy, ms(p.latency.mean), ms(p.latency.p50), ms(p.latency.p90), ms(p.latency.p99), ms(b.bsComputeMs), ms(b.downlinkMs), ms(b.deviceComputeMs), ms(b.uplinkMs),
      `${p.experts.dropped} (${((p.experts.dropped / Math.max(1, total)) * 100).toFixed(1)}%)`, p.devicesPerLayer.toFixed(1), p.criticalShare.toFixed(3)]);
  }
  const m = report.model;
  return [
    `Simulated ${report.testbed}: ${report.devices} devices, ${m.name} (hidden ${m.hiddenSize}, ${m.numLayers} layers × ${m.numExperts} experts, top-${m.topK}), ${report.tokens} tokens × ${report.batches} batches, seed ${report.seed}`,
    report.bsCompute.from === null
      ? `BS work per layer: ${report.bsCompute.fixedMs} ms (--bs-compute-ms)`
      : `BS work per layer: ${report.bsCompute.fixedMs.toFixed(3)} ms + ${report.bsCompute.perTokenMs.toFixed(4)} ms per token (fitted on ${report.bsCompute.from}'s layers.jsonl, R² ${report.bsCompute.r2?.toFixed(2)})`,
    'latency per batch (ms) and its mean breakdown along the critical path',
    table.toString(),
    `simulated in ${(report.wallMs / 1000).toFixed(2)} s`,
  ].join('\n');
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer (e.g. --devices 64 --tokens 1000)');
  return n;
}

function positiveIntOrZero(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer ≥ 0');
  return n;
}

function number(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
}

interface SimulateFlags {
  replay?: string; policy?: string[]; calibrate: boolean; calibrateFrom?: string; json?: boolean;
  devices?: number; tokens: number; batches: number; modelShape?: string; alpha: number; bsComputeMs: number; bsComputeFrom?: string; seed: number; profile?: string; sweep?: string; out?: string;
}

export function registerSimulate(program: Command, context: CommandContext, action: Action): void {
  program
    .command('simulate')
    .description('the papers\' latency model with the policies bench runs: --replay a recorded run (predicted vs measured), or a testbed at any scale with synthesised routing')
    .argument('[testbed]', 'testbed YAML to simulate (its channel, profiles and devices) — or give --replay')
    .option('--replay <run>', 'run folder written by `wdmoe bench` (layers format 2)')
    .option('--devices <n>', 'synthetic: this many devices, made from the testbed\'s (radio distances spread between its nearest and farthest)', positiveInt)
    .option('--tokens <n>', 'synthetic: tokens per batch', positiveInt, 64)
    .option('--batches <n>', 'synthetic: batches (each at the next item time of the channel clock)', positiveInt, 20)
    .option('--model-shape <shape>', 'synthetic: mixtral-8x7b, or a YAML/JSON file (hidden_size, num_layers, num_experts, top_k, intermediate_size); default the testbed\'s model')
    .option('--alpha <a>', 'synthetic: Dirichlet concentration of each layer\'s expert popularity', number, 1)
    .option('--bs-compute-ms <ms>', 'synthetic: BS work per layer', number, 0)
    .option('--bs-compute-from <run>', 'synthetic: BS work per layer as a bench run measured it (layers.jsonl, fitted to fixed + tokens × per_token) instead of --bs-compute-ms; the testbed\'s own model only')
    .option('--seed <n>', 'synthetic: seed of the routing and the channel', positiveIntOrZero, 0)
    .option('--profile <name>', 'synthetic: every device runs this device profile (e.g. jetson-agx-orin) instead of its own')
    .option('--sweep <spec>', 'synthetic: repeat over devices=4..64, bandwidth=5..100MHz, distance=50..500 (m, every device) or theta=0..0.9 (name=lo..hi[:points], 5 points by default); prints CSV (JSON with --json)')
    .option('--out <dir>', 'synthetic: also write a run folder `wdmoe report` reads (run.json, results.jsonl per batch, summary.json; a sweep: sweep.json + sweep.csv); must be new or empty')
    .option('--policy <specs>', 'policies, comma-separated as in bench (topk,wdmoe:theta=0.5,./my-policy.mjs; default: replay the run\'s own, synthetic topk,wdmoe)', list)
    .option('--no-calibrate', 'replay: the bare link model, with none of the overheads calibrated on the run')
    .option('--calibrate-from <run>', 'replay: calibrate on this other run of the same testbed (an out-of-sample check)')
    .option('--json', 'print the report as JSON (replay: with every item\'s prediction and error)')
    .action(
      action(async (testbed: string | undefined, flags: SimulateFlags) => {
        if ((testbed === undefined) === (flags.replay === undefined)) throw new SimError('usage', testbed === undefined ? 'give a testbed to simulate, or --replay runs/<id>' : 'give a testbed or --replay, not both', 'wdmoe simulate testbeds/loopback-wireless.yaml --devices 64, or wdmoe simulate --replay runs/<id>');
        const misplaced = flags.replay === undefined
          ? [flags.calibrateFrom !== undefined ? '--calibrate-from' : '', flags.calibrate ? '' : '--no-calibrate']
          : [flags.devices !== undefined ? '--devices' : '', flags.modelShape !== undefined ? '--model-shape' : '', flags.profile !== undefined ? '--profile' : '', flags.bsComputeFrom !== undefined ? '--bs-compute-from' : '', flags.sweep !== undefined ? '--sweep' : '', flags.out !== undefined ? '--out' : ''];
        const given = misplaced.filter((flag) => flag !== '');
        if (given.length > 0) throw new SimError('usage', `${given.join(', ')} ${given.length > 1 ? 'apply' : 'applies'} only ${flags.replay === undefined ? 'with --replay' : 'to a synthetic run (a testbed, no --replay)'}`, 'see wdmoe simulate --help: replay options and synthetic options are marked');
        if (flags.replay === undefined) {
          const options = Object.freeze({
            testbedPath: testbed!, devices: flags.devices ?? null, tokens: flags.tokens, batches: flags.batches, policies: flags.policy ?? ['topk', 'wdmoe'],
            modelShape: flags.modelShape ?? null, alpha: flags.alpha, bsComputeMs: flags.bsComputeMs, bsComputeFrom: flags.bsComputeFrom ?? null, seed: flags.seed, profile: flags.profile ?? null, bandwidthHz: null, distanceM: null, cwd: process.cwd(),
          });
          if (flags.out !== undefined) assertNewRunDir(flags.out, options.cwd);
          const tool = `wdmoe ${program.version() ?? ''}`.trim();
          if (flags.sweep !== undefined) {
            const sweep = parseSweep(flags.sweep);
            const points = await runSweepPoints(options, sweep);
            const rows = points.flatMap((point) => point.rows);
            if (flags.out !== undefined) process.stderr.write(`wrote ${await writeSweepRun(flags.out, options, sweep, points, tool)} (wdmoe report it)\n`);
            printResult(flags.json === true, { sweep: flags.sweep, rows }, () => encodeSweepCsv(rows));
            return;
          }
          const report = await simulateSynthetic(options);
          if (flags.out !== undefined) process.stderr.write(`wrote ${await writeSyntheticRun(flags.out, options, report, tool)} (wdmoe report it)\n`);
          printResult(flags.json === true, report, () => renderSynthetic(report, context.stdoutIsTty));
          return;
        }
        const report = await replayRun(Object.freeze({ runDir: flags.replay, policies: flags.policy ?? null, calibrate: flags.calibrate, calibrateFrom: flags.calibrateFrom ?? null, cwd: process.cwd() }));
        for (const warning of report.warnings) process.stderr.write(`warning: ${warning}\n`);
        printResult(flags.json === true, report, () => render(report, context.stdoutIsTty));
      }),
    );
}
