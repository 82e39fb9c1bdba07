// summary.json: results.jsonl (+ scores.jsonl for acc_norm) grouped by (dataset, policy) — n, acc (null for a
// simulated run, which scores nothing), acc_norm,
// latency mean/p50/p90/p99 and the mean breakdown. Pure `summarizeResults`; `writeSummary` replaces the file
// atomically (temp + rename) so a reader never sees half of it. Called by bench/run.ts at the end of a run
// (also a failed or interrupted one), and by report.

import { join } from 'node:path';
import { mean, quantileSorted } from 'simple-statistics';
import { z } from 'zod';
import { writeJsonAtomicSync } from '../core/index.js';
import { BREAKDOWN_KEYS, breakdownSchema, readResults, resultKey, type LatencyBreakdown, type ResultRecord } from './records.js';
import { readItemScores, type ItemScoreRecord } from './item-scores.js';
import { readGenerations, type GenerationRecord } from './generations.js';
import { RUN_FILES } from './run-files.js';

export const SUMMARY_FORMAT_VERSION = 1;

export const summaryGroupSchema = z.strictObject({
  dataset: z.string(),
  policy: z.string(),
  n: z.number().int().nonnegative(),
  acc: z.number().nullable(),           // mean of `correct` over the items scored; null if none (a simulated run)
  acc_norm: z.number().nullable(),      // mean of prediction_norm == gold over items with a scores line; null if none
  latency_ms: z.strictObject({ mean: z.number(), p50: z.number(), p90: z.number(), p99: z.number() }),
  breakdown_ms: breakdownSchema,        // mean of each part
  // Generation runs only (--task generate): time to first token and time per output token.
  ttft_ms: z.strictObject({ mean: z.number(), p50: z.number(), p99: z.number() }).optional(),
  tpot_ms: z.strictObject({ mean: z.number(), p50: z.number(), p99: z.number() }).optional(),
});
export type SummaryGroup = z.infer<typeof summaryGroupSchema>;
export const summarySchema = z.strictObject({ formatVersion: z.literal(SUMMARY_FORMAT_VERSION), groups: z.array(summaryGroupSchema) });
export type Summary = z.infer<typeof summarySchema>;

// mean/p50/p99 of some milliseconds (numpy-style interpolation).
function spread(values: readonly number[]): { mean: number; p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { mean: mean(sorted), p50: quantileSorted(sorted, 0.5), p99: quantileSorted(sorted, 0.99) };
}

function summarizeGroup(records: readonly ResultRecord[], scores: ReadonlyMap<string, ItemScoreRecord>, generations: ReadonlyMap<string, GenerationRecord>): SummaryGroup {
  const first = records[0]!;
  const scored = records.flatMap((record) => (record.correct === null ? [] : [record.correct]));
  const totals = records.map((record) => record.latency_ms.total).sort((a, b) => a - b);
  const normed = records.flatMap((record) => {
    const score = scores.get(resultKey(record.dataset, record.policy, record.id));
    return score === undefined ? [] : [score.prediction_norm === score.gold ? 1 : 0];
  });
  const breakdown = Object.fromEntries(
    BREAKDOWN_KEYS.map((key) => [key, mean(records.map((record) => record.latency_ms.breakdown[key]))]),
  ) as LatencyBreakdown;
  const generated = records.flatMap((record) => generations.get(resultKey(record.dataset, record.policy, record.id)) ?? []);
  const tpot = generated.flatMap((generation) => generation.tpot_ms);
  const timing = generated.length === 0 ? {} : { ttft_ms: spread(generated.map((generation) => generation.ttft_ms)), ...(tpot.length === 0 ? {} : { tpot_ms: spread(tpot) }) };
  return {
    dataset: first.dataset,
    policy: first.policy,
    n: records.length,
    acc: scored.length === 0 ? null : mean(scored.map((correct) => (correct ? 1 : 0))),
    acc_norm: normed.length === 0 ? null : mean(normed),
    // simple-statistics quantileSorted: linear interpolation between closest ranks (numpy's default).
    latency_ms: { mean: mean(totals), p50: quantileSorted(totals, 0.5), p90: quantileSorted(totals, 0.9), p99: quantileSorted(totals, 0.99) },
    breakdown_ms: breakdown,
    ...timing,
  };
}

// Groups by (dataset, policy) in order of first appearance; a key seen twice counts once (its last line).
export function summarizeResults(results: readonly ResultRecord[], scores: readonly ItemScoreRecord[] = [], generations: readonly GenerationRecord[] = []): Summary {
  const latest = new Map<string, ResultRecord>();
  for (const record of results) latest.set(resultKey(record.dataset, record.policy, record.id), record);
  const scoreByKey = new Map(scores.map((score) => [resultKey(score.dataset, score.policy, score.id), score]));
  const generationByKey = new Map(generations.map((generation) => [resultKey(generation.dataset, generation.policy, generation.id), generation]));
  const groups = new Map<string, ResultRecord[]>();
  for (const record of latest.values()) {
    const group = `${record.dataset}\0${record.policy}`;
    const members = groups.get(group);
    if (members === undefined) groups.set(group, [record]);
    else members.push(record);
  }
  return { formatVersion: SUMMARY_FORMAT_VERSION, groups: [...groups.values()].map((records) => summarizeGroup(records, scoreByKey, generationByKey)) };
}

// Reads a run folder's results.jsonl and scores.jsonl and summarises them; warnings name a torn last line.
export function summarizeRunDir(dir: string): { summary: Summary; warnings: string[] } {
  const { records, warnings } = readResults(join(dir, RUN_FILES.results));
  return { summary: summarizeResults(records, readItemScores(join(dir, RUN_FILES.scores)), readGenerations(join(dir, RUN_FILES.generations))), warnings };
}

// Writes summary.json atomically: a temp file in the same folder, then rename over the old one.
export function writeSummary(file: string, summary: Summary): void {
  writeJsonAtomicSync(file, summarySchema.parse(summary));
}
