// The report's tables recomputed straight from a fixture run's JSONL files, with none of src/report's code:
// what report-runs.test.ts compares every CSV cell against. Rows in the order the report documents.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { average, percentile, readLines, sum, wilson } from './helpers.js';

type Row = Record<string, string | number | null>;
interface Item { dataset: string; id: string; policy: string; correct: boolean; latency_ms: { total: number; breakdown: Record<string, number> }; experts: { used: number; dropped: number } }

const unique = <T>(values: T[]): T[] => [...new Set(values)];

// The run's results, last line per key, in order of first appearance.
export function items(dir: string): Item[] {
  const byKey = new Map<string, Item>();
  for (const item of readLines<Item>(path.join(dir, 'results.jsonl'))) byKey.set(`${item.dataset}|${item.policy}|${item.id}`, item);
  return [...byKey.values()];
}

export interface Labelled { label: string; dir: string }
const seriesOf = (runs: Labelled[]) => runs.flatMap((run) => unique(items(run.dir).map((item) => item.policy)).map((policy) => ({ ...run, policy, items: items(run.dir).filter((item) => item.policy === policy) })));
const who = (several: boolean, run: string, policy: string): Row => (several ? { run, policy } : { policy });

export function expectedAccuracy(runs: Labelled[]): Row[] {
  const several = runs.length > 1;
  const series = seriesOf(runs);
  const datasets = unique(series.flatMap((one) => one.items.map((item) => item.dataset)));
  return datasets.flatMap((dataset) => series.flatMap((one) => {
    const mine = one.items.filter((item) => item.dataset === dataset);
    if (mine.length === 0) return [];
    const scoresFile = path.join(one.dir, 'scores.jsonl');
    const scores = existsSync(scoresFile) ? readLines(scoresFile) : [];
    const normed = mine.flatMap((item) => scores.filter((s) => s['dataset'] === dataset && s['policy'] === one.policy && s['id'] === item.id).slice(-1).map((s) => s['prediction_norm'] === s['gold']));
    const correct = mine.filter((item) => item.correct).length;
    const [low, high] = wilson(correct, mine.length);
    const normCorrect = normed.filter(Boolean).length;
    const [normLow, normHigh] = normed.length === 0 ? [null, null] : wilson(normCorrect, normed.length);
    return [{ dataset, ...who(several, one.label, one.policy), n: mine.length, acc: correct / mine.length, acc_ci95_low: low, acc_ci95_high: high,
      acc_norm: normed.length === 0 ? null : normCorrect / normed.length, acc_norm_ci95_low: normLow, acc_norm_ci95_high: normHigh }];
  }));
}

const latencyOf = (list: Item[]) => {
  const totals = list.map((item) => item.latency_ms.total);
  return { mean: average(totals), p50: percentile(totals, 0.5), p90: percentile(totals, 0.9), p99: percentile(totals, 0.99) };
};

export function expectedLatency(runs: Labelled[]): Row[] {
  return seriesOf(runs).map((one) => {
    const l = latencyOf(one.items);
    return { ...who(runs.length > 1, one.label, one.policy), n: one.items.length, latency_mean_ms: l.mean, latency_p50_ms: l.p50, latency_p90_ms: l.p90, latency_p99_ms: l.p99 };
  });
}

export function expectedBreakdown(runs: Labelled[]): Row[] {
  return seriesOf(runs).map((one) => {
    const part = (key: string) => average(one.items.map((item) => item.latency_ms.breakdown[key]!));
    return { ...who(runs.length > 1, one.label, one.policy), bs_compute_ms: part('bs_compute'), downlink_ms: part('downlink'), device_compute_ms: part('device_compute'),
      uplink_ms: part('uplink'), other_ms: part('other'), total_ms: average(one.items.map((item) => item.latency_ms.total)) };
  });
}

export function expectedExperts(runs: Labelled[]): Row[] {
  return seriesOf(runs).map((one) => {
    const used = sum(one.items.map((item) => item.experts.used));
    const dropped = sum(one.items.map((item) => item.experts.dropped));
    return { ...who(runs.length > 1, one.label, one.policy), items: one.items.length, experts_used: used, experts_dropped: dropped, dropped_share: dropped / (used + dropped), dropped_per_item: dropped / one.items.length };
  });
}

export function expectedDevices(runs: Labelled[]): Row[] {
  const layerFiles = runs.map((one) => path.join(one.dir, 'layers.jsonl')).filter((file) => existsSync(file));
  const anyShare = layerFiles.some((file) => readLines(file).some((line) => line['devices'].some((d: Row) => typeof d['share'] === 'number')));
  return seriesOf(runs).flatMap((one) => {
    const file = path.join(one.dir, 'layers.jsonl');
    if (!existsSync(file)) return [];
    const lines = readLines(file).filter((line) => line['policy'] === one.policy);
    const devices = unique(lines.flatMap((line) => line['devices'].map((d: Row) => d['device'] as string))).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    return devices.map((device) => {
      const entries = lines.flatMap((line) => line['devices'].filter((d: Row) => d['device'] === device));
      const total = (key: string) => sum(entries.map((entry: Record<string, number>) => entry[key]!));
      const shares = entries.flatMap((entry: Record<string, number>) => (typeof entry['share'] === 'number' ? [entry['share']] : []));
      return { ...who(runs.length > 1, one.label, one.policy), device, layer_calls: entries.length, token_rows: total('rows'), downlink_bytes: total('downlink_bytes'),
        uplink_bytes: total('uplink_bytes'), compute_ms: total('device_compute_ms'), link_ms: total('downlink_ms') + total('uplink_ms'),
        critical: lines.filter((line) => line['critical_device'] === device).length, ...(anyShare ? { mean_share: shares.length === 0 ? null : average(shares) } : {}) };
    });
  });
}

// Against the series named `baseline` (its run and policy), over the datasets both have.
export function expectedComparison(runs: Labelled[], baseline: { label: string; policy: string }): Row[] {
  const series = seriesOf(runs);
  const base = series.find((one) => one.label === baseline.label && one.policy === baseline.policy)!;
  const baseDatasets = new Set(base.items.map((item) => item.dataset));
  const dropShare = (list: Item[]) => sum(list.map((i) => i.experts.dropped)) / sum(list.map((i) => i.experts.used + i.experts.dropped));
  return series.map((one) => {
    const mine = one.items.filter((item) => baseDatasets.has(item.dataset));
    const shared = new Set(mine.map((item) => item.dataset));
    const theirs = base.items.filter((item) => shared.has(item.dataset));
    const a = latencyOf(mine);
    const b = latencyOf(theirs);
    const acc = mine.filter((item) => item.correct).length / mine.length;
    const baseAcc = theirs.filter((item) => item.correct).length / theirs.length;
    return { ...who(runs.length > 1, one.label, one.policy), n: mine.length, acc, acc_delta: acc - baseAcc, latency_mean_ms: a.mean, latency_mean_delta_ms: a.mean - b.mean,
      latency_mean_ratio: a.mean / b.mean, latency_p50_ratio: a.p50 / b.p50, latency_p99_ratio: a.p99 / b.p99, dropped_share_delta: dropShare(mine) - dropShare(theirs) };
  });
}

// policies.json of each series that names its definition.
export function expectedPolicies(runs: Labelled[]): Row[] {
  return seriesOf(runs).flatMap((one) => {
    const entry = JSON.parse(readFileSync(path.join(one.dir, 'policies.json'), 'utf8'))[one.policy];
    if (entry?.policy === undefined) return [];
    const params = Object.entries(entry.params as Record<string, unknown>).map(([key, value]) => `${key}=${String(value)}`).join(', ');
    return [{ ...who(runs.length > 1, one.label, one.policy), definition: entry.policy, parameters: params === '' ? null : params, source: entry.source }];
  });
}

// The devices of testbed.yaml; `link` as the table words it (radio distance and power, else fixed).
export function expectedTestbed(dir: string): Row[] {
  const testbed = parse(readFileSync(path.join(dir, 'testbed.yaml'), 'utf8'));
  return testbed.devices.map((device: any) => ({
    device: device.name, host: device.host, profile: device.profile,
    link: device.link.radio ? `radio ${device.link.radio.distanceM} m, ${device.link.radio.txPowerDbm} dBm` : 'fixed',
    downlink_rate_bits_per_sec: device.link.downlink.rateBitsPerSec, downlink_delay_ms: device.link.downlink.delayMs,
    uplink_rate_bits_per_sec: device.link.uplink.rateBitsPerSec, uplink_delay_ms: device.link.uplink.delayMs,
    loss_rate: device.link.uplink.lossRate,
  }));
}

// generations.jsonl per series: TTFT p50 over items, TPOT p50/p99 over every decode step.
export function expectedGeneration(runs: Labelled[]): Row[] {
  return seriesOf(runs).flatMap((one) => {
    const lines = readLines(path.join(one.dir, 'generations.jsonl')).filter((line) => line['policy'] === one.policy);
    if (lines.length === 0) return [];
    const tpot = lines.flatMap((line) => line['tpot_ms'] as number[]);
    return [{ ...who(runs.length > 1, one.label, one.policy), n: lines.length, ttft_p50_ms: percentile(lines.map((line) => line['ttft_ms'] as number), 0.5),
      tpot_p50_ms: percentile(tpot, 0.5), tpot_p99_ms: percentile(tpot, 0.99) }];
  });
}
