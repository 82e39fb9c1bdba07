// The report's tables, in the order every text rendering shows them (accuracy, latency, breakdown,
// experts, per-device load, generation, comparison, testbed), each with its columns: the one place that
// decides what a column is called and how it reads, so table, Markdown and CSV never disagree.
// Pure; called by table.ts, markdown.ts, csv.ts and html.ts.

import {
  deltaColumn, intervalColumn, kilobytesColumn, numberColumn, percentColumn, rateColumn, ratioColumn, textColumn, type Column, type CsvCell,
} from './cells.js';
import { describeLink, describeRate } from './link-text.js';
import { compactPlacement } from './placement-text.js';
import type { Report, SeriesRef } from './report-types.js';
import type { TestbedView } from './testbed-view.js';

export interface Section {
  readonly id: string;                   // the CSV block's name
  readonly title: string;
  readonly headers: readonly string[];
  readonly aligns: readonly ('left' | 'right')[];
  readonly text: readonly (readonly string[])[];
  readonly csvHeaders: readonly string[];
  readonly csv: readonly (readonly CsvCell[])[];
}

function section<R>(id: string, title: string, rows: readonly R[], columns: readonly Column<NoInfer<R>>[]): Section {
  return {
    id,
    title,
    headers: columns.map((column) => column.header),
    aligns: columns.map((column) => column.align),
    text: rows.map((row) => columns.map((column) => column.text(row))),
    csvHeaders: columns.flatMap((column) => column.csv.map(([name]) => name)),
    csv: rows.map((row) => columns.flatMap((column) => column.csv.map(([, get]) => get(row)))),
  };
}

// run + policy columns (run only when several runs are reported).
function who<R extends SeriesRef>(several: boolean): Column<R>[] {
  const policy = textColumn<R>('policy', 'policy', (row) => row.policy);
  return several ? [textColumn<R>('run', 'run', (row) => row.run), policy] : [policy];
}

// A swept value as read: `22.4 MHz`, `150 m`, `16`, `0.45`.
function sweepValueText(parameter: string, value: number): string {
  if (parameter === 'bandwidth') return `${Number((value / 1e6).toPrecision(4))} MHz`;
  return `${Number(value.toPrecision(6))}${parameter === 'distance' ? ' m' : ''}`;
}

type DeviceRow = TestbedView['devices'][number] & { readonly run: string };

// Every table with at least one row.
export function reportSections(report: Report): Section[] {
  const several = report.runs.length > 1;
  const sections: Section[] = [
    section('accuracy', 'Accuracy per dataset × policy (95% Wilson interval)', report.accuracy, [
      textColumn('dataset', 'dataset', (row) => row.dataset), ...who(several),
      numberColumn('n', 'n', (row) => row.n, 0),
      numberColumn('acc', 'acc', (row) => row.acc, 3),
      intervalColumn('acc 95% CI', 'acc_ci95', (row) => row.acc_ci95, 3),
      numberColumn('acc_norm', 'acc_norm', (row) => row.acc_norm, 3),
      intervalColumn('acc_norm 95% CI', 'acc_norm_ci95', (row) => row.acc_norm_ci95, 3),
    ]),
    section('latency', 'Latency per policy (ms per item, all datasets)', report.latency, [
      ...who(several),
      numberColumn('n', 'n', (row) => row.n, 0),
      numberColumn('mean', 'latency_mean_ms', (row) => row.mean_ms, 2),
      numberColumn('p50', 'latency_p50_ms', (row) => row.p50_ms, 2),
      numberColumn('p90', 'latency_p90_ms', (row) => row.p90_ms, 2),
      numberColumn('p99', 'latency_p99_ms', (row) => row.p99_ms, 2),
    ]),
    section('breakdown', 'Mean latency breakdown per policy (ms per item)', report.breakdown, [
      ...who(several),
      numberColumn('bs compute', 'bs_compute_ms', (row) => row.bs_compute_ms, 2),
      numberColumn('downlink', 'downlink_ms', (row) => row.downlink_ms, 2),
      numberColumn('device compute', 'device_compute_ms', (row) => row.device_compute_ms, 2),
      numberColumn('uplink', 'uplink_ms', (row) => row.uplink_ms, 2),
      numberColumn('other', 'other_ms', (row) => row.other_ms, 2),
      numberColumn('total', 'total_ms', (row) => row.total_ms, 2),
    ]),
    section('experts', 'Experts per policy (summed over items)', report.experts, [
      ...who(several),
      numberColumn('items', 'items', (row) => row.items, 0),
      numberColumn('used', 'experts_used', (row) => row.used, 0),
      numberColumn('dropped', 'experts_dropped', (row) => row.dropped, 0),
      percentColumn('dropped %', 'dropped_share', (row) => row.dropped_share),
      numberColumn('dropped/item', 'dropped_per_item', (row) => row.dropped_per_item, 1),
    ]),
    section('energy', 'Energy per policy (devices with power rails; J = joules)', report.energy, [
      ...who(several),
      numberColumn('items', 'items', (row) => row.items, 0),
      numberColumn('J/item', 'joules_per_item', (row) => row.joules_per_item, 3),
      numberColumn('J/token', 'joules_per_token', (row) => row.joules_per_token, 4),
      numberColumn('J total', 'joules', (row) => row.joules, 2),
      textColumn('devices', 'devices', (row) => row.devices),
      textColumn('rails', 'rails', (row) => row.rails),
    ]),
    section('devices', 'Per-device load (from layers.jsonl)', report.devices, [
      ...who(several),
      textColumn('device', 'device', (row) => row.device),
      numberColumn('layer calls', 'layer_calls', (row) => row.layer_calls, 0),
      numberColumn('token rows', 'token_rows', (row) => row.token_rows, 0),
      kilobytesColumn('down kB', 'downlink_bytes', (row) => row.downlink_bytes),
      kilobytesColumn('up kB', 'uplink_bytes', (row) => row.uplink_bytes),
      numberColumn('busy ms', 'compute_ms', (row) => row.compute_ms, 1),
      numberColumn('link ms', 'link_ms', (row) => row.link_ms, 1),
      numberColumn('critical', 'critical', (row) => row.critical, 0),
      ...(report.devices.some((row) => row.mean_share !== null) ? [percentColumn<(typeof report.devices)[number]>('mean share', 'mean_share', (row) => row.mean_share)] : []),
    ]),
    section('generation', 'Generation per policy (time to first token, time per output token)', report.generation, [
      ...who(several),
      numberColumn('n', 'n', (row) => row.n, 0),
      numberColumn('ttft p50 ms', 'ttft_p50_ms', (row) => row.ttft_p50_ms, 2),
      numberColumn('tpot p50 ms', 'tpot_p50_ms', (row) => row.tpot_p50_ms, 2),
      numberColumn('tpot p99 ms', 'tpot_p99_ms', (row) => row.tpot_p99_ms, 2),
    ]),
    section('comparison', `Comparison with ${report.baseline ?? '–'} (over the datasets both have)`, report.comparison, [
      ...who(several),
      numberColumn('n', 'n', (row) => row.n, 0),
      numberColumn('acc', 'acc', (row) => row.acc, 3),
      deltaColumn('Δacc (pp)', 'acc_delta', (row) => row.acc_delta, 1, 100),
      numberColumn('mean ms', 'latency_mean_ms', (row) => row.mean_ms, 2),
      deltaColumn('Δmean ms', 'latency_mean_delta_ms', (row) => row.mean_delta_ms, 2),
      ratioColumn('mean ratio', 'latency_mean_ratio', (row) => row.mean_ratio),
      ratioColumn('p50 ratio', 'latency_p50_ratio', (row) => row.p50_ratio),
      ratioColumn('p99 ratio', 'latency_p99_ratio', (row) => row.p99_ratio),
      deltaColumn('Δdropped (pp)', 'dropped_share_delta', (row) => row.dropped_share_delta, 1, 100),
    ]),
    section('policies', 'Policies (policies.json)', report.policies, [
      ...who(several),
      textColumn('definition', 'definition', (row) => row.definition),
      textColumn('parameters', 'parameters', (row) => row.parameters),
      textColumn('source', 'source', (row) => row.source),
    ]),
    section('sweep', 'Simulated sweep: latency per batch (ms) per value × policy', report.sweep, [
      ...(several ? [textColumn<(typeof report.sweep)[number]>('run', 'run', (row) => row.run)] : []),
      textColumn('parameter', 'parameter', (row) => row.parameter),
      { header: 'value', align: 'right', text: (row) => sweepValueText(row.parameter, row.value), csv: [['value', (row) => row.value]] },
      textColumn('policy', 'policy', (row) => row.policy),
      numberColumn('mean', 'latency_mean_ms', (row) => row.mean_ms, 1),
      numberColumn('p50', 'latency_p50_ms', (row) => row.p50_ms, 1),
      numberColumn('p90', 'latency_p90_ms', (row) => row.p90_ms, 1),
      numberColumn('p99', 'latency_p99_ms', (row) => row.p99_ms, 1),
      percentColumn('dropped %', 'dropped_share', (row) => row.dropped_share),
      numberColumn('devices/layer', 'devices_per_layer', (row) => row.devices_per_layer, 1),
    ]),
    section('testbed', 'Testbed: devices, links (Mbit/s, ms), placement', report.testbeds.flatMap((testbed) => testbed.devices.map((device) => ({ ...device, run: testbed.run }))), [
      ...(several ? [textColumn<DeviceRow>('run', 'run', (row) => row.run)] : []),
      textColumn<DeviceRow>('device', 'device', (row) => row.name),
      textColumn<DeviceRow>('host', 'host', (row) => row.host),
      textColumn<DeviceRow>('profile', 'profile', (row) => row.profile),
      textColumn<DeviceRow>('link', 'link', (row) => describeLink(row)),
      rateColumn<DeviceRow>('down Mbit/s', 'downlink_rate_bits_per_sec', (row) => row.downlink.rate_bits_per_sec, (row) => describeRate(row, 'downlink')),
      numberColumn<DeviceRow>('down delay', 'downlink_delay_ms', (row) => row.downlink.delay_ms, 1),
      rateColumn<DeviceRow>('up Mbit/s', 'uplink_rate_bits_per_sec', (row) => row.uplink.rate_bits_per_sec, (row) => describeRate(row, 'uplink')),
      numberColumn<DeviceRow>('up delay', 'uplink_delay_ms', (row) => row.uplink.delay_ms, 1),
      percentColumn<DeviceRow>('loss', 'loss_rate', (row) => row.uplink.loss_rate ?? row.downlink.loss_rate, 2),
      textColumn<DeviceRow>('experts', 'experts', (row) => compactPlacement(row.experts)),
    ]),
    section('setup', 'Setup: what ran the experts (power mode, peak temperature: session start → end)', report.setup, [
      ...(several ? [textColumn<(typeof report.setup)[number]>('run', 'run', (row) => row.run)] : []),
      textColumn('device', 'device', (row) => row.device),
      textColumn('runtime', 'runtime', (row) => row.runtime),
      textColumn('engine', 'engine', (row) => row.engine),
      textColumn('provider', 'execution_provider', (row) => row.execution_provider),
      textColumn('os / arch', 'os', (row) => `${row.os} ${row.arch}`),
      textColumn('board', 'board', (row) => row.board),
      textColumn('power mode', 'power_mode', (row) => row.power_mode ?? '–'),
      textColumn('temp', 'temperature', (row) => row.temperature ?? '–'),
      textColumn('flags', 'flags', (row) => row.flags),
    ]),
  ];
  return sections.filter((one) => one.text.length > 0);
}

// The runs' notes as "run: note" lines (prefixed only when several runs are reported).
export function reportNotes(report: Report): string[] {
  const several = report.runs.length > 1;
  return report.runs.flatMap((run) => run.notes.map((note) => (several ? `${run.label}: ${note}` : note)));
}
