// `wdmoe bench`: datasets → one batched forward per item through the split model → lm-eval scoring →
// records appended as each item finishes (results, scores, layers) → summary. Resumable: items already
// in results.jsonl are skipped. Owns the run's teardown stack (sessions, connections, agents it started);
// the summary is written even when the run fails, so recorded results are never lost.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EXIT_BAD_INPUT, TeardownStack, WdmoeError, writeJsonAtomicSync } from '../core/index.js';
import { DeviceLossError, type DeviceLossMode, type ForwardSetup } from '../bs/index.js';
import { loadGenDataset, loadMcDataset, listBundledDatasets, type DatasetFormat, type GenItem, type LoadedDataset, type McItem } from '../datasets/index.js';
import { SeededRandom } from '../links/index.js';
import { loadBsGraphs, resolveTokenizerPath } from '../model/index.js';
import { loadTokenizer } from './tokenizer.js';
import { resolvePolicies } from '../policy/index.js';
import { channelTimeMs } from '../channel/index.js';
import { assertValidTestbed, formatIssue, type Testbed } from '../testbed/index.js';
import { prepareRunDir, resolveRunDir } from './run-dir.js';
import { connectDevices, type ConnectEvent, type ConnectedDevices, type Placement, type ShapingChoice } from './connect-devices.js';
import { checkLinks } from './profile-links.js';
import { describeOffLink, LINK_TOLERANCE } from './profile-run.js';
import {
  openDeviceSetupWriter, openItemEnergyWriter, openItemScoresWriter, openGenerationsWriter, openLayerLog, openDeviceEvents, type DeviceEventsWriter, completedKeys, openResultsWriter, resultKey, pruneUnfinished, RUN_FILES,
  summarizeRunDir, writeSummary, type Summary,
} from '../records/index.js';
import { scoreItem } from './score-item.js';
import { recordDeviceSetup, startEnergyWindow } from './device-probe.js';
import { generateItem, stopTokens } from './generate-item.js';

export type BenchTask = 'multiple-choice' | 'generate';

export interface BenchOptions {
  readonly testbedPath: string;
  readonly datasets: readonly string[]; // names or paths; empty = every bundled multiple-choice set
  readonly format: DatasetFormat | 'auto';
  readonly task: BenchTask;
  readonly maxNewTokens: number; // generate: cap on generated tokens per item
  readonly policies: readonly string[]; // --policy values: names, name:key=value, or module paths
  readonly cwd: string; // custom policy module paths are relative to it
  readonly linkCheck: boolean; // check each shaped link against its model before the first item (warn when > 5% off)
  readonly limit: number | null;
  readonly outDir: string | null; // null = runs/<timestamp> (or, with resume, the newest run in runs/)
  readonly runsDir: string;
  readonly resume: boolean;
  readonly placement: Placement;
  readonly shaping: ShapingChoice;
  readonly seed: number;
  readonly onDeviceLoss: DeviceLossMode; // experts whose every holder is down: fail the run (default) or skip them
  readonly stateDir: string;
  readonly intraOpThreads: number;
  readonly tool: string;
}

export type BenchEvent =
  | { kind: 'run-start'; runDir: string; items: number; resumed: number }
  | ConnectEvent
  | { kind: 'item-done'; dataset: string; policy: string; id: string; correct: boolean; latencyMs: number; done: number; total: number }
  | { kind: 'warning'; message: string };

export interface BenchResult {
  runDir: string;
  summary: Summary;
  itemsRun: number;
  itemsResumed: number;
}

// How long the end-of-session device reading may wait for each device.
const END_READING_MS = 2000;

// Runs the benchmark; throws a WdmoeError for bad input or a failed run, after recording what finished.
export async function runBench(options: BenchOptions, context: { signal?: AbortSignal; onEvent?: (event: BenchEvent) => void }): Promise<BenchResult> {
  const emit = context.onEvent ?? (() => undefined);
  const { testbed, warnings } = await assertValidTestbed(options.testbedPath);
  for (const warning of warnings) emit({ kind: 'warning', message: formatIssue(warning) });
  const resolved = await resolvePolicies(options.policies, { cwd: options.cwd });
  const policies = resolved.map((policy) => policy.label);
  const datasets = await loadDatasets(options);
  const runDir = await resolveRunDir(options);
  await prepareRunDir(runDir, options, testbed, resolved, datasets);

  const teardown = new TeardownStack();
  let itemsRun = 0;
  let itemsResumed = 0;
  let summary: Summary = { formatVersion: 1, groups: [] };
  let deviceEvents: DeviceEventsWriter | undefined; // open once the items start; reconnections are recorded from then on
  try {
    const graphs = await loadBsGraphs(testbed.modelDir, { intraOpThreads: options.intraOpThreads });
    teardown.defer('BS sessions', () => graphs.release());
    const tokenizer = await loadTokenizer(await resolveTokenizerPath(graphs.manifest));
    const arch = graphs.arch;
    const connected = await connectDevices({
      testbed,
      placement: options.placement,
      shaping: options.shaping,
      seed: options.seed,
      runDir,
      stateDir: options.stateDir,
      intraOpThreads: 1,
      teardown,
      signal: context.signal,
      onEvent: (event) => {
        emit(event);
        if (event.kind === 'device-reconnected') {
          deviceEvents?.append({ at: new Date().toISOString(), event: 'reconnected', device: event.device, dataset: null, id: null, policy: null, step: null,
            layer: null, reason: null, experts: [], to: null, down_ms: Math.round(event.downMs), attempts: event.attempts });
        }
      },
    });
    if (options.linkCheck && connected.shaping !== 'none' && connected.shaping !== 'local') await checkLinksBriefly(runDir, connected, testbed, graphs.arch.hiddenSize, emit, context.signal);
    // The reproducibility record of the devices: runtime info and telemetry at this session's start, and at
    // its end (registered after the connections, so it runs before they close).
    const session = new Date().toISOString();
    const deviceSetup = openDeviceSetupWriter(path.join(runDir, RUN_FILES.devices));
    teardown.defer('devices.jsonl', () => deviceSetup.close());
    const probeOptions = { deadlineMs: testbed.timeouts.connectMs, signal: context.signal };
    const startTelemetry = await recordDeviceSetup(deviceSetup, connected.probes, 'start', { session, ...probeOptions });
    teardown.defer('device telemetry at the end', async () => {
      // Not the run's signal (it may be aborted: the end reading is still wanted), and briefly: a stalled device must not hold up teardown.
      await recordDeviceSetup(deviceSetup, connected.probes, 'end', { session, deadlineMs: Math.min(testbed.timeouts.connectMs, END_READING_MS) });
    });
    for (const probe of connected.probes) {
      if (probe.isCpuFallback) emit({ kind: 'warning', message: `device ${probe.spec.name}: runs its experts on cpu although the testbed asks for cuda (allow_cpu_fallback: true)` });
    }
    const hasPowerRails = startTelemetry.some((telemetry) => (telemetry?.energy ?? null) !== null);
    const done = completedKeys(path.join(runDir, RUN_FILES.results));
    for (const file of [RUN_FILES.scores, RUN_FILES.generations, RUN_FILES.layers, RUN_FILES.energy]) {
      const dropped = pruneUnfinished(path.join(runDir, file), done);
      if (dropped > 0) emit({ kind: 'warning', message: `${file}: dropped ${dropped} line(s) of an item interrupted before its result; it runs again` });
    }
    // Opened after the pruning above, which may replace energy.jsonl by a rewritten file.
    const energy = hasPowerRails ? openItemEnergyWriter(path.join(runDir, RUN_FILES.energy)) : undefined;
    if (energy !== undefined) teardown.defer('energy.jsonl', () => energy.close());
    const results = openResultsWriter(path.join(runDir, RUN_FILES.results));
    teardown.defer('results.jsonl', () => results.close());
    const scores = options.task === 'multiple-choice' ? openItemScoresWriter(path.join(runDir, RUN_FILES.scores)) : undefined;
    if (scores !== undefined) teardown.defer('scores.jsonl', () => scores.close());
    const generations = options.task === 'generate' ? openGenerationsWriter(path.join(runDir, RUN_FILES.generations)) : undefined;
    if (generations !== undefined) teardown.defer('generations.jsonl', () => generations.close());
    const layers = openLayerLog(path.join(runDir, RUN_FILES.layers));
    teardown.defer('layers.jsonl', () => layers.close());
    const events = openDeviceEvents(path.join(runDir, RUN_FILES.deviceEvents));
    deviceEvents = events;
    teardown.defer('device-events.jsonl', () => {
      deviceEvents = undefined;
      events.close();
    });
    if (results.truncatedBytes > 0) emit({ kind: 'warning', message: `results.jsonl ended in a torn line (${results.truncatedBytes} bytes), removed; that item runs again` });

    const total = datasets.reduce((sum, dataset) => sum + dataset.items.length, 0) * policies.length;
    itemsResumed = datasets.reduce((sum, d) => sum + d.items.reduce((n, item) => n + policies.filter((p) => done.has(resultKey(d.name, p, item.id))).length, 0), 0);
    emit({ kind: 'run-start', runDir, items: total, resumed: itemsResumed });
    const deviceNames = testbed.devices.map((device) => device.name as string);
    const runStartMs = performance.now();
    // One setup per (item, policy): the links are read on the channel clock (item i of the run at the same
    // channel time under every policy, or wall time), and the random source is seeded per item and policy so
    // a resumed run draws what a whole run would have.
    const setupFor = (policyIndex: number, itemIndex: number): ForwardSetup => {
      const random = new SeededRandom((options.seed * 1_000_003 + itemIndex * 101 + policyIndex) >>> 0);
      return {
        graphs,
        policy: resolved[policyIndex]!.policy,
        devices: connected.devices,
        links: () => {
          const timeMs = channelTimeMs(testbed.bs.clock, { itemIndex, wallElapsedMs: performance.now() - runStartMs });
          return { timeMs: isStaticLinks ? null : timeMs, states: connected.linkStatesAt(timeMs) };
        },
        expertDevices: connected.expertDevices,
        deadlineMs: testbed.timeouts.requestMs,
        onDeviceLoss: options.onDeviceLoss,
        random: () => random.next(),
      };
    };
    const isStaticLinks = connected.shaping !== 'userspace' || !connected.isTimeVarying;
    const bosTokenId = graphs.manifest.manifest.tokenizer.addBosToken ? (arch.bosTokenId ?? null) : null;
    const prefixTokenId = arch.bosTokenId ?? arch.eosTokenId ?? 0;
    const scoring = { padTokenId: arch.padTokenId ?? 0, bosTokenId, prefixTokenId, maxLength: arch.maxPositionEmbeddings };
    const stops = options.task === 'generate' ? stopTokens(tokenizer, arch.eosTokenId ?? null) : new Set<number>();
    let finished = itemsResumed;
    let itemIndex = -1;
    for (const dataset of datasets) {
      for (const item of dataset.items) {
        itemIndex += 1;
        for (const [policyIndex, policy] of policies.entries()) {
          if (done.has(resultKey(dataset.name, policy, item.id))) continue;
          context.signal?.throwIfAborted();
          const key = { dataset: dataset.name, policy, id: item.id };
          const base = { setup: setupFor(policyIndex, itemIndex), deviceNames, signal: context.signal };
          const window = energy === undefined ? undefined : await startEnergyWindow(connected.probes, probeOptions);
          let record;
          try {
            if ('choices' in item) {
              const scored = await scoreItem(key, item, { ...base, tokenizer, scoring });
              scores!.append(scored.score);
              for (const line of scored.layers) layers.append(line);
              for (const line of scored.deviceEvents) events.append(line);
              record = scored.result;
            } else {
              const generated = await generateItem(key, item, { ...base, tokenizer, bosTokenId, prefixTokenId, isStop: (id) => stops.has(id), maxNewTokens: options.maxNewTokens, maxPositions: arch.maxPositionEmbeddings });
              generations!.append(generated.generation);
              for (const line of generated.layers) layers.append(line);
              for (const line of generated.deviceEvents) events.append(line);
              record = generated.result;
            }
          } catch (error) {
            // The item is recorded as failed, with why; it has no results line, so --resume runs it again.
            if (error instanceof DeviceLossError) {
              events.append({ at: new Date().toISOString(), event: 'item-failed', device: error.device, ...key, step: null, layer: error.layer,
                reason: error.reason, experts: [...error.experts], to: null, down_ms: null, attempts: null });
            }
            throw error;
          }
          if (window !== undefined) energy!.append({ ...key, n_tokens: record.n_tokens, ...(await window.finish()) });
          results.append(record);
          itemsRun += 1;
          finished += 1;
          emit({ kind: 'item-done', ...key, correct: record.correct === true, latencyMs: record.latency_ms.total, done: finished, total });
        }
      }
    }
  } finally {
    const failures = await teardown.dispose();
    for (const failure of failures) emit({ kind: 'warning', message: `cleanup of ${failure.label} failed: ${(failure.error as Error).message}` });
    // Written even when the run failed, so what finished is summarised; a failure here must not hide the run's own error.
    if (existsSync(path.join(runDir, RUN_FILES.results))) {
      try {
        const summarised = summarizeRunDir(runDir);
        summary = summarised.summary;
        writeSummary(path.join(runDir, RUN_FILES.summary), summary);
        for (const message of summarised.warnings) emit({ kind: 'warning', message });
      } catch (error) {
        emit({ kind: 'warning', message: `could not write ${RUN_FILES.summary}: ${(error as Error).message}; run \`wdmoe report ${runDir}\`` });
      }
    }
  }
  return { runDir, summary, itemsRun, itemsResumed };
}

// Loads each dataset once; two different files that would be recorded under one name are refused, since
// results are keyed by (dataset, policy, id).
async function loadDatasets(options: BenchOptions): Promise<LoadedDataset<McItem | GenItem>[]> {
  const generate = options.task === 'generate';
  const names = options.datasets.length > 0 ? options.datasets : (await listBundledDatasets()).filter((name) => name.endsWith('-gen') === generate);
  const load = (dataset: string) => (generate ? loadGenDataset({ dataset, format: options.format }) : loadMcDataset({ dataset, format: options.format }));
  const loaded: LoadedDataset<McItem | GenItem>[] = await Promise.all([...new Set(names)].map(load));
  const byName = new Map<string, LoadedDataset<McItem | GenItem>>();
  for (const dataset of loaded) {
    const other = byName.get(dataset.name);
    if (other !== undefined && path.resolve(other.path) !== path.resolve(dataset.path)) {
      throw new WdmoeError('bench-dataset-name-clash', `datasets ${other.path} and ${dataset.path} would both be recorded as "${dataset.name}"`, {
        exitCode: EXIT_BAD_INPUT,
        hint: 'rename one of the files: results are keyed by dataset name and item id',
      });
    }
    if (other === undefined) byName.set(dataset.name, dataset);
  }
  return [...byName.values()].map((dataset) => (options.limit === null ? dataset : { ...dataset, items: dataset.items.slice(0, options.limit) }));
}


// A short link check (3 round trips per device) before the items: warns about a link more than 5% off its
// model and writes what it measured to link-check.json. Never fails the run: a check that cannot finish (a
// device already failing) is a warning, and the items then meet the device's error themselves.
async function checkLinksBriefly(runDir: string, connected: ConnectedDevices, testbed: Testbed, hidden: number, emit: (event: BenchEvent) => void, signal?: AbortSignal): Promise<void> {
  let checks;
  try {
    checks = await checkLinks(connected.devices.map((device) => device.channel), connected.linkStatesAt(0), {
      hidden, layer: 0, expertOf: (d) => Math.max(0, connected.expertDevices[0]!.findIndex((holders) => holders.includes(d))),
      repeats: 3, tolerance: LINK_TOLERANCE, deadlineMs: testbed.timeouts.requestMs, signal,
    });
  } catch (error) {
    signal?.throwIfAborted();
    emit({ kind: 'warning', message: `link check skipped: ${(error as Error).message}` });
    return;
  }
  for (const check of checks.filter((c) => c.isOff)) emit({ kind: 'warning', message: `link check: ${describeOffLink(check)}` });
  writeJsonAtomicSync(path.join(runDir, RUN_FILES.linkCheck), { formatVersion: 1, tolerance: LINK_TOLERANCE, checkedAt: new Date().toISOString(), links: checks });
}
