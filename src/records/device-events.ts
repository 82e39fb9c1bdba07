// device-events.jsonl: what happened to the devices during a run, one line per event — a device marked
// down (which device, layer, why), a failover of its experts to a replica, experts skipped because no
// device holding them was up (--on-device-loss skip), an item that failed because of a lost device
// (--on-device-loss fail), and a device reconnected. Item events carry the item's key and forward step;
// a reconnection carries none. Appended whole, never pruned on --resume (it is the run's history).
// Written by bench/run.ts, read by report/.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { openRecordWriter, type RecordWriter } from './jsonl-append.js';
import { readJsonlTolerant } from './jsonl-read.js';

export const DEVICE_EVENTS_FORMAT_VERSION = 1;

export const deviceEventSchema = z.strictObject({
  at: z.string(),                                            // ISO 8601 time the line was written
  event: z.enum(['down', 'failover', 'skip', 'item-failed', 'reconnected']),
  device: z.string(),                                        // the device lost (failover/skip: the one whose experts moved or were skipped)
  dataset: z.string().nullable(),                            // the item's key; null for reconnected
  id: z.string().nullable(),
  policy: z.string().nullable(),
  step: z.number().int().nonnegative().nullable(),           // forward step of the item (0 = full sequence / prefill)
  layer: z.number().int().nonnegative().nullable(),          // MoE layer; null for reconnected
  reason: z.string().nullable(),                             // down / item-failed: why (the device error)
  experts: z.array(z.string()),                              // failover / skip / item-failed: ExpertKeys concerned
  to: z.string().nullable(),                                 // failover: the replica device that took them
  down_ms: z.number().nonnegative().nullable(),              // reconnected: how long the device was down
  attempts: z.number().int().positive().nullable(),          // reconnected: connection attempts it took
});
// One line of device-events.jsonl.
export type DeviceEventRecord = z.infer<typeof deviceEventSchema>;

export type DeviceEventsWriter = RecordWriter<DeviceEventRecord>;

// Opens device-events.jsonl for appending whole lines.
export function openDeviceEvents(file: string, options: { durable?: boolean } = {}): DeviceEventsWriter {
  return openRecordWriter(file, deviceEventSchema, options);
}

// Every committed line of device-events.jsonl; none when the run had no device event (no file).
export function readDeviceEvents(file: string): DeviceEventRecord[] {
  return existsSync(file) ? readJsonlTolerant(file, deviceEventSchema).records : [];
}
