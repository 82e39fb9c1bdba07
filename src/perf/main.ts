// `npm run perf`: every benchmark figure of the project, measured in one run on this machine, printed
// as a table (stdout) and, with `--json [file]` or WDMOE_PERF_OUT=file, written as JSON (perf.json by
// default). Figures are ratios against a baseline measured in the same run, so they travel between
// machines better than absolute times: transport ÷ raw TCP, distributed ÷ monolithic forward, shaped
// transfer ÷ link model, and bench items/s. Everything runs on 127.0.0.1; agents and temp dirs are
// on one teardown stack unwound on exit, error or Ctrl-C. This is an entry point (like cli/main.ts):
// it alone reads argv/env and sets the exit code. docs/perf.md explains each figure.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TeardownStack } from '../core/index.js';
import { measureAgentEntry, type AgentEntryFigure } from './agent-entry.js';
import { measureBench, type BenchFigure } from './bench.js';
import { measureForward, type ForwardFigure } from './forward.js';
import { measurePolicies, type PolicyFigure } from './policy.js';
import { measureSim, type SimFigure } from './sim.js';
import { measureSoak, type SoakFigure } from './soak.js';
import { startPerfTestbed } from './testbed.js';
import { measureShaping, measureTransport, type ShapingFigure, type TransportFigure } from './transport.js';

export interface PerfReport {
  formatVersion: 6;
  measuredAt: string;
  host: { cpus: number; cpuModel: string; node: string; platform: string };
  transport: TransportFigure[]; // in-process then cross-process
  forward: ForwardFigure[]; // 8 agents (the default testbed), then 1 agent holding every expert
  shaping: ShapingFigure[];
  bench: BenchFigure[];
  policies: PolicyFigure[];
  sim: SimFigure; // the simulator at 1000 devices × 10,000 tokens × 32 layers, 2 policies
  soak: SoakFigure; // 50,000 pipelined RUNs over 4 connections to one agent process
  agentEntry: AgentEntryFigure; // `wdmoe agent` through its lean entry vs the full command line: ready ms and RSS
  seconds: number;
}

const GOALS = { transport: 1.2, forward: 1.5, shaping: 0.05, policyShareOfLayer: 0.05, simSeconds: 10, soakSeconds: 60, soakRssGrowthBytes: 64 * 1024 * 1024, agentEntryRatio: 0.8 };
const BENCH_TARGET_SECONDS = 8;

// What the shaped links of the perf testbed add per item (4 layers × (down + up) × 2 ms, plus bytes), ms.
const SHAPED_EXTRA_MS_PER_ITEM = 4 * 2 * 2.3;

function benchLimit(perItemMs: number): number {
  return Math.max(10, Math.min(500, Math.round((BENCH_TARGET_SECONDS * 1000) / perItemMs)));
}

function progress(message: string): void {
  console.warn(`perf: ${message}`);
}

// Runs every measurement once, in a fixed order; `signal` stops it between steps (and inside bench).
export async function runPerf(signal: AbortSignal): Promise<PerfReport> {
  const startMs = performance.now();
  const teardown = new TeardownStack();
  try {
    progress('transport round trip vs raw TCP (64 B, 8 KB, 256 KB), far end in this process');
    const transport = await measureTransport('in-process', teardown);
    signal.throwIfAborted();
    progress('transport round trip vs raw TCP (64 B, 8 KB, 256 KB), far end in a child process');
    transport.push(...(await measureTransport('cross-process', teardown)));
    signal.throwIfAborted();
    progress('shaped transfer vs link model');
    const shaping = await measureShaping();
    signal.throwIfAborted();
    progress('soak: 50,000 pipelined RUNs over 4 connections to one agent process');
    const soak = await measureSoak(teardown, signal);
    signal.throwIfAborted();
    progress('agent start: lean entry (bin/wdmoe agent) vs the full command line, 5 each');
    const agentEntry = await measureAgentEntry(signal);
    signal.throwIfAborted();
    progress('policy decision time per layer (60 tokens, 8 wireless devices)');
    const policies = measurePolicies();
    signal.throwIfAborted();
    progress('simulator: 1000 devices × 10,000 tokens × 32 layers, topk and wdmoe');
    const sim = await measureSim();
    signal.throwIfAborted();
    progress('starting 8 loopback agents');
    const perf = await startPerfTestbed(teardown, 8, signal);
    progress('distributed (8 agents) vs monolithic forward (4 × 20 tokens)');
    const forward = [await measureForward(perf, signal)];
    const unshapedLimit = benchLimit(forward[0]!.distributedMs);
    const shapedLimit = benchLimit(forward[0]!.distributedMs + SHAPED_EXTRA_MS_PER_ITEM);
    progress(`bench, shaped links (${shapedLimit} items)`);
    const shaped = await measureBench(perf, 'testbed', shapedLimit, signal);
    progress(`bench, unshaped (${unshapedLimit} items)`);
    const unshaped = await measureBench(perf, 'none', unshapedLimit, signal);
    // The same forward with one agent process holding every expert: the cost of crossing into another
    // process without 9 processes sharing this machine's cores. Its own stack stops it before the next step.
    const single = new TeardownStack();
    try {
      progress('starting 1 loopback agent holding every expert');
      const singlePerf = await startPerfTestbed(single, 1, signal);
      progress('distributed (1 agent) vs monolithic forward (4 × 20 tokens)');
      forward.push(await measureForward(singlePerf, signal));
    } finally {
      await single.dispose();
    }
    const cpus = os.cpus();
    return {
      formatVersion: 6,
      measuredAt: new Date().toISOString(),
      host: { cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', node: process.version, platform: `${os.platform()} ${os.release()}` },
      transport,
      forward,
      shaping,
      bench: [shaped, unshaped],
      policies,
      sim,
      soak,
      agentEntry,
      seconds: (performance.now() - startMs) / 1000,
    };
  } finally {
    const failures = await teardown.dispose();
    for (const { label, error } of failures) progress(`cleanup of ${label} failed: ${(error as Error).message}`);
  }
}

const fixed = (value: number, digits: number) => value.toFixed(digits);
const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');

function formatSize(bytes: number): string {
  return bytes >= 1024 ? `${bytes / 1024} KB` : `${bytes} B`;
}

// Plain aligned columns (cli-table3 belongs to cli/).
function renderRows(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const mebibytes = (bytes: number | null) => (bytes === null ? 'n/a' : fixed(bytes / 1048576, 1));

function isSoakOk(soak: SoakFigure): boolean {
  const growth = soak.agentRssStartBytes === null || soak.agentRssEndBytes === null ? 0 : soak.agentRssEndBytes - soak.agentRssStartBytes;
  return soak.errors === 0 && soak.requests >= 50_000 && soak.seconds <= GOALS.soakSeconds && growth <= GOALS.soakRssGrowthBytes;
}

// The report as the terminal shows it.
export function renderPerf(report: PerfReport): string {
  const { host } = report;
  const parts: string[] = [
    `wdmoe perf — ${host.cpus} CPU (${host.cpuModel}), Node ${host.node}, ${host.platform}; ${fixed(report.seconds, 0)} s`,
    '',
    `Transport round trip ÷ raw TCP ping-pong, same payload (goal ≤ ${GOALS.transport})`,
    renderRows(['far end', 'payload', 'transport µs', 'raw TCP µs', 'overhead µs', 'ratio', 'goal'],
      report.transport.map((f) => [f.peer, formatSize(f.payloadBytes), fixed(f.transportMs * 1000, 1), fixed(f.rawTcpMs * 1000, 1),
        fixed((f.transportMs - f.rawTcpMs) * 1000, 1), fixed(f.ratio, 3), verdict(f.ratio <= GOALS.transport)])),
    '',
    `Distributed (unshaped) ÷ monolithic forward, ${report.forward[0]!.sequences} × ${report.forward[0]!.tokensPerSequence} tokens, median of ${report.forward[0]!.iterations} (goal ≤ ${GOALS.forward})`,
    renderRows(['experts on', 'distributed ms', 'monolithic ms', 'ratio', 'goal'],
      report.forward.map((f) => [f.devices === 1 ? '1 agent (all experts)' : `${f.devices} agents`, fixed(f.distributedMs, 2), fixed(f.monolithicMs, 2), fixed(f.ratio, 3), verdict(f.ratio <= GOALS.forward)])),
    host.cpus < 9 ? `note: ${host.cpus} CPUs shared by the BS and up to 8 agent processes` : '',
    '',
    `Shaped downlink transfer ÷ link model (goal within ${GOALS.shaping * 100}%)`,
    renderRows(['link', 'frame bytes', 'measured ms', 'model ms', 'ratio', 'goal'],
      report.shaping.map((f) => [f.config, String(f.payloadBytes), fixed(f.measuredMs, 2), fixed(f.expectedMs, 2), fixed(f.ratio, 3), verdict(Math.abs(f.ratio - 1) <= GOALS.shaping)])),
    '',
    'Bench items/s (multiple choice, topk, 8 loopback agents; scoring loop only)',
    renderRows(['links', 'dataset', 'items', 'seconds', 'items/s', 'whole run s'],
      report.bench.map((f) => [f.shaping === 'testbed' ? 'shaped (100 mbit + 2 ms)' : 'unshaped', f.dataset, String(f.items), fixed(f.seconds, 2), fixed(f.itemsPerSecond, 2), fixed(f.totalSeconds, 2)])),
    '',
    `Policy decision per layer (60 tokens, 8 experts on 8 wireless devices): ÷ topk's, and ÷ the layer latency it decides (goal ≤ ${GOALS.policyShareOfLayer})`,
    renderRows(['policy', 'decision µs', '÷ topk', 'layer ms (estimate)', '÷ layer', 'goal'],
      report.policies.map((f) => [f.policy, fixed(f.decisionMs * 1000, 1), fixed(f.ratioToTopk, 2), fixed(f.layerMs, 2), fixed(f.shareOfLayer, 4), verdict(f.shareOfLayer <= GOALS.policyShareOfLayer)])),
    '',
    `Simulator (wdmoe simulate, Mixtral-8x7B shape, loopback-wireless channel): ${report.sim.devices} devices × ${report.sim.tokens} tokens × ${report.sim.layers} layers, ${report.sim.policies.join(' + ')} (goal < ${GOALS.simSeconds} s)`,
    renderRows(['seconds', 'µs per token-layer per policy', ...report.sim.policies.map((p) => `${p} batch ms`), 'goal'],
      [[fixed(report.sim.seconds, 2), fixed(report.sim.microsecondsPerTokenLayer, 3), ...report.sim.policies.map((p) => fixed(report.sim.latencyMs[p] ?? NaN, 0)), verdict(report.sim.seconds < GOALS.simSeconds)]]),
    '',
    `Soak: ${report.soak.connections} connections × 16 pipelined RUNs of 1 KB to one echo agent process (goal: no error, ≤ ${GOALS.soakSeconds} s, agent RSS growth ≤ ${GOALS.soakRssGrowthBytes / 1048576} MiB)`,
    renderRows(['requests', 'errors', 'seconds', 'requests/s', 'agent RSS start MiB', 'agent RSS end MiB', 'goal'],
      [[String(report.soak.requests), String(report.soak.errors), fixed(report.soak.seconds, 2), fixed(report.soak.requestsPerSecond, 0),
        mebibytes(report.soak.agentRssStartBytes), mebibytes(report.soak.agentRssEndBytes), verdict(isSoakOk(report.soak))]]),
    report.soak.firstError === null ? '' : `first soak error: ${report.soak.firstError}`,
    '',
    `Agent start, every expert of the bundled model: lean entry (bin/wdmoe agent → dist/cli/agent-main.js) ÷ the full command line (dist/cli/main.js agent), median of ${report.agentEntry.runs} (goal ≤ ${GOALS.agentEntryRatio} each)`,
    renderRows(['entry', 'spawn → ready ms', 'RSS at ready MiB'], [
      ['lean', fixed(report.agentEntry.leanReadyMs, 0), mebibytes(report.agentEntry.leanRssBytes)],
      ['full', fixed(report.agentEntry.fullReadyMs, 0), mebibytes(report.agentEntry.fullRssBytes)],
      ['lean ÷ full', fixed(report.agentEntry.readyRatio, 3), report.agentEntry.rssRatio === null ? 'n/a' : fixed(report.agentEntry.rssRatio, 3)],
      ['goal', verdict(report.agentEntry.readyRatio <= GOALS.agentEntryRatio), verdict(report.agentEntry.rssRatio === null || report.agentEntry.rssRatio <= GOALS.agentEntryRatio)],
    ]),
  ];
  return parts.filter((part, i) => part !== '' || parts[i - 1] !== '').join('\n');
}

// Where to write JSON: `--json [file]` or WDMOE_PERF_OUT, else nowhere.
function resolveJsonOut(argv: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const at = argv.indexOf('--json');
  if (at >= 0) {
    const next = argv[at + 1];
    return path.resolve(next !== undefined && !next.startsWith('--') ? next : 'perf.json');
  }
  return env['WDMOE_PERF_OUT'] ? path.resolve(env['WDMOE_PERF_OUT']) : undefined;
}

async function main(): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (name: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) process.exit(name === 'SIGINT' ? 130 : 143);
    progress(`${name}: stopping after cleanup`);
    controller.abort(new Error(`interrupted by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const jsonOut = resolveJsonOut(process.argv.slice(2), process.env);
  try {
    const report = await runPerf(controller.signal);
    console.log(renderPerf(report));
    if (jsonOut !== undefined) {
      await writeFile(jsonOut, `${JSON.stringify(report, null, 2)}\n`);
      progress(`wrote ${jsonOut}`);
    }
  } catch (error) {
    console.error(`perf failed: ${(error as Error).message}`);
    process.exitCode = controller.signal.aborted ? 130 : 1;
  }
}

await main();
