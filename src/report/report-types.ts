// The report's data: what `--format json` prints and every other rendering draws from. The shape is
// documented in docs/report.md and versioned by REPORT_FORMAT_VERSION (any change to a key, unit or
// meaning bumps it). Types only, plus the version; built by build-report.ts.

import type { SweepFileRow } from '../records/index.js';
import type { TestbedView } from './testbed-view.js';

export const REPORT_FORMAT = 'wdmoe-report';
export const REPORT_FORMAT_VERSION = 3; // 2: `sweep`; comparison acc/acc_delta nullable (simulated runs); 3: `setup`, `energy`

// Which run and policy a row is about; `series` is how plots and the comparison name it:
// the policy label for a single run, `<run>/<policy>` for several.
export interface SeriesRef {
  readonly run: string;
  readonly policy: string;
  readonly series: string;
}

export interface RunInfo {
  readonly label: string;
  readonly dir: string;
  readonly task: string | null;
  readonly model: string | null;
  readonly testbed: string | null;
  readonly created_at: string | null;
  readonly datasets: readonly string[];  // in the order results appear
  readonly policies: readonly string[];
  readonly items: number;                // distinct (dataset, policy, id) with a results line
  readonly policy_params: Readonly<Record<string, unknown>> | null;
  readonly notes: readonly string[];
}

export interface AccuracyRow extends SeriesRef {
  readonly dataset: string;
  readonly n: number;
  readonly correct: number;
  readonly acc: number;
  readonly acc_ci95: readonly [number, number];
  readonly n_norm: number;               // items with a scores line (multiple choice)
  readonly acc_norm: number | null;
  readonly acc_norm_ci95: readonly [number, number] | null;
}

export interface LatencyRow extends SeriesRef {
  readonly n: number;
  readonly mean_ms: number;
  readonly p50_ms: number;
  readonly p90_ms: number;
  readonly p99_ms: number;
}

export interface BreakdownRow extends SeriesRef {
  readonly bs_compute_ms: number;
  readonly downlink_ms: number;
  readonly device_compute_ms: number;
  readonly uplink_ms: number;
  readonly other_ms: number;
  readonly total_ms: number;
}

export interface ExpertsRow extends SeriesRef {
  readonly items: number;
  readonly used: number;                 // (token, expert) assignments run, summed over items
  readonly dropped: number;              // top-k assignments the policy dropped
  readonly dropped_share: number;        // dropped / (used + dropped)
  readonly dropped_per_item: number;
}

export interface DeviceLoadRow extends SeriesRef {
  readonly device: string;
  readonly layer_calls: number;          // layers.jsonl device entries: (item, step, layer) the device served
  readonly token_rows: number;           // token rows sent to it (a token crosses once per device)
  readonly downlink_bytes: number;
  readonly uplink_bytes: number;
  readonly compute_ms: number;           // busy time: Σ device_compute_ms
  readonly link_ms: number;              // Σ (downlink_ms + uplink_ms)
  readonly critical: number;             // layer calls where it finished last
  readonly mean_share: number | null;    // mean bandwidth share where the layers format records it
}

export interface GenerationRow extends SeriesRef {
  readonly n: number;
  readonly ttft_p50_ms: number;
  readonly tpot_p50_ms: number | null;
  readonly tpot_p99_ms: number | null;
}

export interface ComparisonRow extends SeriesRef {
  readonly baseline: string;             // the baseline's series
  readonly datasets: readonly string[];  // compared over the datasets both have
  readonly n: number;
  readonly acc: number | null;           // null: nothing scored (a simulated run)
  readonly acc_delta: number | null;     // acc − baseline acc (fraction; ×100 for points); null without both
  readonly mean_ms: number;
  readonly mean_delta_ms: number;
  readonly mean_ratio: number;           // mean / baseline mean
  readonly p50_ratio: number;
  readonly p99_ratio: number;
  readonly dropped_share_delta: number;
}

// A policy of a run as policies.json resolved it (label → definition, parameters, source).
export interface PolicyRow extends SeriesRef {
  readonly definition: string | null;    // the registered policy the label names (`wdmoe` for `wdmoe:theta=0.3`)
  readonly parameters: string | null;    // "theta=0.3, rounds=5" as resolved; null when none
  readonly source: string | null;        // "builtin", or the module file of a custom policy
  readonly params: Readonly<Record<string, unknown>> | null;
}

// A simulated sweep's row (sweep.json): the value swept, the policy, its latency per batch.
export interface SweepRow extends SweepFileRow {
  readonly run: string;
}

// One device of one bench session (or the run's BS, device "(bs)"): what ran the experts and how it held up.
export interface SetupRow {
  readonly run: string;
  readonly device: string;
  readonly runtime: string;              // "node 20.11.0", "python 3.10.12"
  readonly engine: string;               // "onnxruntime-node 1.30.0", "torch 2.1.0"
  readonly execution_provider: string;   // "cpu", or "cuda asked, cpu used"
  readonly os: string;
  readonly arch: string;
  readonly board: string;                // Jetson model (L4T release); for (bs): tool and git commit
  readonly power_mode: string | null;    // start → end when it changed
  readonly temperature: string | null;   // peak thermal zone, start → end
  readonly flags: string;                // "CPU FALLBACK", "THROTTLED: …"
  readonly is_throttled: boolean;
  readonly is_cpu_fallback: boolean;
}

// Energy per policy over the items measured on devices with power rails.
export interface EnergyRow extends SeriesRef {
  readonly items: number;
  readonly joules: number;               // Σ over items and devices
  readonly joules_per_item: number;
  readonly joules_per_token: number | null; // Σ J / Σ n_tokens
  readonly devices: string;              // devices with rails
  readonly rails: string;                // rails integrated (VDD_IN, POM_5V_IN, "sum of rails")
}

export interface Report {
  readonly format: typeof REPORT_FORMAT;
  readonly formatVersion: typeof REPORT_FORMAT_VERSION;
  readonly baseline: string | null;      // series every comparison row is against; null with one series
  readonly runs: readonly RunInfo[];
  readonly accuracy: readonly AccuracyRow[];
  readonly latency: readonly LatencyRow[];
  readonly breakdown: readonly BreakdownRow[];
  readonly experts: readonly ExpertsRow[];
  readonly setup: readonly SetupRow[];
  readonly energy: readonly EnergyRow[];
  readonly devices: readonly DeviceLoadRow[];
  readonly generation: readonly GenerationRow[];
  readonly comparison: readonly ComparisonRow[];
  readonly policies: readonly PolicyRow[];
  readonly testbeds: readonly (TestbedView & { readonly run: string })[];
  readonly sweep: readonly SweepRow[];    // simulated sweeps (sweep.json); empty for bench runs
}
