// results.jsonl: one line per scored item × policy with exactly the keys of DESIGN.md "Records", appended
// whole and fsync'd as each item finishes; read back tolerating a torn last line, for --resume and summary.
// The format version lives in run.json (run-meta.ts), never in these lines. Called by bench/run.ts, report.

import { z } from 'zod';
import { openJsonlAppender, type JsonlAppender } from './jsonl-append.js';
import { readJsonlTolerant } from './jsonl-read.js';

export const RESULTS_FORMAT_VERSION = 1;

const milliseconds = z.number().finite().nonnegative();
export const breakdownSchema = z.strictObject({
  bs_compute: milliseconds,
  uplink: milliseconds,
  device_compute: milliseconds,
  downlink: milliseconds,
  other: milliseconds,
});
export type LatencyBreakdown = z.infer<typeof breakdownSchema>;
export const BREAKDOWN_KEYS = ['bs_compute', 'uplink', 'device_compute', 'downlink', 'other'] as const;

export const resultRecordSchema = z.strictObject({
  dataset: z.string(),
  id: z.string(),
  policy: z.string(),
  // Choice index (multiple choice) or generated text; null in a simulated run (`wdmoe simulate --out`: no model ran).
  prediction: z.union([z.number().int(), z.string()]).nullable(),
  gold: z.union([z.number().int(), z.string()]).nullable(),
  correct: z.boolean().nullable(),                        // null: nothing was scored (a simulated run)
  n_tokens: z.number().int().nonnegative(),
  latency_ms: z.strictObject({ total: milliseconds, breakdown: breakdownSchema }),
  experts: z.strictObject({ used: z.number().int().nonnegative(), dropped: z.number().int().nonnegative() }),
});
// One line of results.jsonl.
export type ResultRecord = z.infer<typeof resultRecordSchema>;

// The --resume key of an item under a policy.
export function resultKey(dataset: string, policy: string, id: string): string {
  return `${dataset}\0${policy}\0${id}`;
}

// The record with its keys in the documented order (and nothing else), ready to serialise.
export function encodeResultRecord(record: ResultRecord): ResultRecord {
  const { breakdown } = record.latency_ms;
  return resultRecordSchema.parse({
    dataset: record.dataset,
    id: record.id,
    policy: record.policy,
    prediction: record.prediction,
    gold: record.gold,
    correct: record.correct,
    n_tokens: record.n_tokens,
    latency_ms: {
      total: record.latency_ms.total,
      breakdown: {
        bs_compute: breakdown.bs_compute,
        uplink: breakdown.uplink,
        device_compute: breakdown.device_compute,
        downlink: breakdown.downlink,
        other: breakdown.other,
      },
    },
    experts: { used: record.experts.used, dropped: record.experts.dropped },
  });
}

export interface ResultsWriter {
  readonly file: string;
  readonly truncatedBytes: number;   // torn tail cut off on open (warn the user when > 0)
  append(record: ResultRecord): void;
  close(): void;
}

// Opens results.jsonl for appending (creating it; cutting a torn last line off).
export function openResultsWriter(file: string, options: { durable?: boolean } = {}): ResultsWriter {
  const appender: JsonlAppender = openJsonlAppender(file, options);
  return {
    file,
    truncatedBytes: appender.truncatedBytes,
    append: (record) => appender.append(encodeResultRecord(record)),
    close: () => appender.close(),
  };
}

export interface ResultsRead {
  readonly records: ResultRecord[];
  readonly warnings: string[];
}

// Every committed line; a torn last line is skipped with a warning, any other bad line is a RecordsError.
export function readResults(file: string): ResultsRead {
  const { records, tornLine } = readJsonlTolerant(file, resultRecordSchema);
  const warnings = tornLine === null
    ? []
    : [`${file}:${tornLine.line}: ignoring a torn last line (${tornLine.bytes} bytes) left by an interrupted run`];
  return { records, warnings };
}

// Keys (`resultKey`) of every item already recorded: what --resume skips.
export function completedKeys(file: string): Set<string> {
  return new Set(readResults(file).records.map((record) => resultKey(record.dataset, record.policy, record.id)));
}
