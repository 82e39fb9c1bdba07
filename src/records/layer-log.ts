// layers.jsonl: one line per item × policy × forward step × MoE layer — which experts ran or were dropped (each
// token's gate top-k and what was kept), the bytes, bandwidth share and link rate in force per device, each
// device's latency parts and the policy's estimate, and every device's link state at that moment. What `report`
// plots and `simulate --replay` reads. Appended whole like results.jsonl. Called by bench/run.ts (from bs timings).
// Version 2 added channel_time_ms, routing, link_states and per-device share/estimated_ms; they are optional
// in the schema so version-1 lines still read.

import { z } from 'zod';
import { openRecordWriter, type RecordWriter } from './jsonl-append.js';
import { readJsonlTolerant } from './jsonl-read.js';

export const LAYERS_FORMAT_VERSION = 2;

const milliseconds = z.number().finite().nonnegative();
const bytes = z.number().int().nonnegative();
const rate = z.number().positive().nullable();   // bits per second in force; null = unshaped

export const layerDeviceSchema = z.strictObject({
  device: z.string(),
  experts: z.array(z.string()),        // ExpertKeys ("3.7") this device ran for this layer
  rows: z.number().int().nonnegative(),  // token rows sent (a token crosses once per device)
  downlink_bytes: bytes,               // BS → device payload
  uplink_bytes: bytes,                 // device → BS payload
  share: z.number().min(0).max(1).optional(),       // of the BS's bandwidth (both directions) the policy gave it
  estimated_ms: milliseconds.nullable().optional(), // the policy-side estimate of total_ms
  downlink_rate_bits_per_sec: rate,
  uplink_rate_bits_per_sec: rate,
  downlink_ms: milliseconds,           // send start → last byte at the device
  device_compute_ms: milliseconds,     // reported by the agent
  uplink_ms: milliseconds,             // result sent → delivered at the BS
  total_ms: milliseconds,              // send start → delivered (downlink + compute + uplink + waits)
});
export type LayerDeviceRecord = z.infer<typeof layerDeviceSchema>;

// One direction of a device's link at the moment of the layer (channel/types.ts LinkState).
export const linkStateRecordSchema = z.discriminatedUnion('model', [
  z.strictObject({
    model: z.literal('fixed'),
    rate_bits_per_sec: rate,             // the link's own rate (trace or fixed); null = unlimited
    pool_bits_per_sec: rate,             // the BS's total this direction shares; null = none
    delay_ms: milliseconds, jitter_ms: milliseconds, loss: z.number().min(0).max(1),
  }),
  z.strictObject({
    model: z.literal('shannon'),
    bandwidth_hz: z.number().positive(), // the BS's total band this direction
    snr_db: z.number().finite(),         // over the whole band, fading included
    delay_ms: milliseconds, jitter_ms: milliseconds, loss: z.number().min(0).max(1),
  }),
]);
export type LinkStateRecord = z.infer<typeof linkStateRecordSchema>;

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
  channel_time_ms: z.number().finite().nullable().optional(), // the channel clock when the policy decided; null = static links
  // Each token's gate top-k, best first, flattened tokens × k: expert indices, softmax probabilities, 1 = ran.
  routing: z.strictObject({
    k: z.number().int().nonnegative(),
    experts: z.array(z.number().int().nonnegative()),
    probs: z.array(z.number().min(0).max(1)),
    kept: z.array(z.number().int().min(0).max(1)),
  }).optional(),
  // Every device's link state then, in testbed order (the devices that got no work too).
  link_states: z.array(z.strictObject({ device: z.string(), downlink: linkStateRecordSchema, uplink: linkStateRecordSchema })).optional(),
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
