// Shared by the report tests: the recorded fixture runs, a JSONL reader of their files, and the statistics
// recomputed here by hand (numpy's linear percentile, the Wilson interval with z from a table), so every
// number the report prints is checked against values it did not compute itself.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LayerLine, RunFolder } from '../../src/report/run-folder.js';

export const RUNS = fileURLToPath(new URL('../fixtures/runs/', import.meta.url));
export const run = (name: string): string => path.join(RUNS, name);

// Every complete line of a fixture file (the torn last line of half-finished/ is left out, as a reader must).
export function readLines<T = Record<string, any>>(file: string): T[] {
  const text = readFileSync(file, 'utf8');
  const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  return complete.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as T);
}

export const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
export const average = (values: readonly number[]): number => sum(values) / values.length;

// numpy.percentile's default (linear interpolation between closest ranks).
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

// The Wilson score interval, z = Φ⁻¹(0.975) from a normal table.
export function wilson(successes: number, n: number): [number, number] {
  const z = 1.959963984540054;
  const p = successes / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

// Parses renderReportCsv output into blocks: section id → rows keyed by header.
export function parseCsvBlocks(csv: string): Map<string, Record<string, string>[]> {
  const blocks = new Map<string, Record<string, string>[]>();
  for (const block of csv.trim().split('\n\n')) {
    const [header, ...lines] = block.split('\n').map(splitCsvLine);
    const rows = lines.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i] ?? ''])));
    blocks.set(rows[0]?.['table'] ?? '', rows);
  }
  return blocks;
}

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quoted && char === '"' && line[i + 1] === '"') { cell += '"'; i++; }
    else if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) { cells.push(cell); cell = ''; }
    else cell += char;
  }
  cells.push(cell);
  return cells;
}

// Asserts |actual − expected| ≤ 1e-9 relative, naming what was compared.
export function assertClose(actual: number, expected: number, what: string): void {
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tolerance)) throw new Error(`${what}: got ${actual}, expected ${expected}`);
}

// A layers.jsonl line of the newer format (channel clock, per-device bandwidth share) or of format 1
// (`newer: false`), for tests that build a RunFolder in memory.
export function layerLine(index: number, options: { newer: boolean; policy?: string }): LayerLine {
  const device = (name: string, share: number, rate: number) => ({
    device: name, experts: ['0.0'], rows: 4 + index, downlink_bytes: 1000 * (index + 1), uplink_bytes: 500 * (index + 1),
    downlink_rate_bits_per_sec: rate, uplink_rate_bits_per_sec: rate / 2, downlink_ms: 1, device_compute_ms: 2 + index, uplink_ms: 3, total_ms: 6 + index,
    ...(options.newer ? { share } : {}),
  });
  return {
    dataset: 'add', id: `add-${Math.floor(index / 2)}`, policy: options.policy ?? 'wdmoe:theta=0.3', step: 0, layer: index % 2, tokens: 4,
    experts: { kept: 8, dropped: 0 }, bs_compute_ms: 1, latency_ms: 7 + index, critical_device: index % 2 === 0 ? 'dev-0' : 'dev-1',
    devices: [device('dev-0', 0.25 + 0.1 * index, 20e6 + 1e6 * index), device('dev-1', 0.75 - 0.1 * index, 10e6)],
    ...(options.newer ? { channel_time_ms: 100 * index } : {}),
  };
}

// A loaded run holding `layers` and one result per item they name.
export function folderWith(layers: LayerLine[], policy = 'wdmoe:theta=0.3'): RunFolder {
  const ids = [...new Set(layers.map((line) => line.id))];
  return {
    dir: '/nowhere', label: 'memory', meta: null, scores: [], generations: [], testbed: null, policyParams: null, sweep: null, deviceSetup: [], energy: [], notes: [], layers,
    results: ids.map((id) => ({ dataset: 'add', id, policy, prediction: 0, gold: 0, correct: true, n_tokens: 4,
      latency_ms: { total: 10, breakdown: { bs_compute: 2, uplink: 2, device_compute: 2, downlink: 2, other: 2 } }, experts: { used: 8, dropped: 0 } })),
  };
}
