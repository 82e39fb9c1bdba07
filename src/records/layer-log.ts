// layers.jsonl: one line per item × policy × forward step × MoE layer — which experts ran or were dropped, the
// bytes and link rates per device, and each device's latency parts. What `report` plots and
// `simulate --replay` reads. Appended whole like results.jsonl. Called by bench/run.ts (from bs timings).

import { z } from 'zod';
import { openRecordWriter, type RecordWriter } from './jsonl-append.js';
import { readJsonlTolerant } from './jsonl-read.js';

export const LAYERS_FORMAT_VERSION = 1;

const milliseconds = z.number().finite().nonnegative();
const bytes = z.number().int().nonnegative();
const rate = z.number().positive().nullable();   // bits per second in force; null = unshaped

export const layerDeviceSchema = z.strictObject({
  device: z.string(),
  experts: z.array(z.string()),        // ExpertKeys ("3.7") this device ran for this layer
  rows: z.number().int().nonnegative(),  // token rows sent (a token crosses once per device)
  downlink_bytes: bytes,               // BS → device payload
  uplink_bytes: bytes,                 // device → BS payload
  downlink_rate_bits_per_sec: rate,
  uplink_rate_bits_per_sec: rate,
  downlink_ms: milliseconds,           // send start → last byte at the device
  device_compute_ms: milliseconds,     // reported by the agent
  uplink_ms: milliseconds,             // result sent → delivered at the BS
  total_ms: milliseconds,              // send start → delivered (downlink + compute + uplink + waits)
});
export type LayerDeviceRecord = z.infer<typeof layerDeviceSchema>;

export const layerRecordSchema = z.strictObject({
  dataset: z.string(),
  id: z.string(),
  policy: z.string(),
  step: z.number().int().nonnegative(),   // 0: the item's full-sequence forward (scoring, or prefill); k: k-th decode step
  layer: z.number().int().nonnegative(),
  tokens: z.number().int().nonnegative(), // real tokens through this layer in this step
  experts: z.strictObject({
    kept: z.number().int().nonnegative(),    // (token, expert) assignments run
    dropped: z.number().int().nonnegative(), // top-k assignments the policy dropped
  }),
  bs_compute_ms: milliseconds,           // attention + router + policy + combine at the BS
  latency_ms: milliseconds,              // the layer's wall time: bs_compute + the critical device's total
  critical_device: z.string().nullable(), // the device that finished last (null: no device used)
  devices: z.array(layerDeviceSchema),
});
// One line of layers.jsonl.
export type LayerRecord = z.infer<typeof layerRecordSchema>;

export type LayerLogWriter = RecordWriter<LayerRecord>;

// Opens layers.jsonl for appending whole lines.
export function openLayerLog(file: string, options: { durable?: boolean } = {}): LayerLogWriter {
  return openRecordWriter(file, layerRecordSchema, options);
}

// Every committed line of layers.jsonl (a torn last line is ignored).
export function readLayerLog(file: string): LayerRecord[] {
  return readJsonlTolerant(file, layerRecordSchema).records;
}
