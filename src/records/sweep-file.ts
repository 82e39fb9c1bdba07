// sweep.json: a simulated sweep's rows (`wdmoe simulate --sweep … --out DIR`; docs/records.md), one per
// (value, policy), with what was simulated. The schema both sides use: sim/write-run.ts writes it, report
// reads it (readSweepFile: null when absent, a RecordsError naming the field when malformed).
import { join } from 'node:path';
import { z } from 'zod';
import { RecordsError } from './errors.js';
import { readJsonFile } from './json-read.js';
import { RUN_FILES } from './run-files.js';

export const SWEEP_FORMAT = 'wdmoe-sweep';
export const SWEEP_FORMAT_VERSION = 1;

export const sweepParameterSchema = z.enum(['devices', 'bandwidth', 'distance', 'theta']);

export const sweepRowSchema = z.strictObject({
  parameter: sweepParameterSchema,
  value: z.number(),                    // devices: count; bandwidth: Hz; distance: m (every device); theta: 0–1
  policy: z.string(),
  mean_ms: z.number(),                  // per batch (tokens through every layer)
  p50_ms: z.number(),
  p90_ms: z.number(),
  p99_ms: z.number(),
  dropped_share: z.number(),            // of the top-k slots
  devices_per_layer: z.number(),        // mean number of devices used
});
// One row of sweep.json (and sweep.csv).
export type SweepFileRow = z.infer<typeof sweepRowSchema>;

export const sweepFileSchema = z.strictObject({
  format: z.literal(SWEEP_FORMAT),
  formatVersion: z.literal(SWEEP_FORMAT_VERSION),
  parameter: sweepParameterSchema,
  values: z.array(z.number()).min(1),
  simulation: z.record(z.string(), z.unknown()), // testbed, model, tokens, batches, seed, devices, profile
  rows: z.array(sweepRowSchema).min(1),
});
export type SweepFile = z.infer<typeof sweepFileSchema>;

// `<dir>/sweep.json`, or null when the folder has none.
export function readSweepFile(dir: string): SweepFile | null {
  const file = join(dir, RUN_FILES.sweep);
  const value = readJsonFile(file);
  if (value === undefined) return null;
  const checked = sweepFileSchema.safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new RecordsError(file, undefined, `field "${issue.path.join('.')}": ${issue.message}`);
  }
  return checked.data;
}

// Writes `<dir>/sweep.json` (checked against the schema first).
export function encodeSweepFile(sweep: SweepFile): string {
  return `${JSON.stringify(sweepFileSchema.parse(sweep), null, 2)}\n`;
}
