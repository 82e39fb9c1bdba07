// devices.jsonl and energy.jsonl: what each device was and how it ran (issue 11 item 6, issue 13 item 2).
// devices.jsonl holds, per bench session (a start or a --resume) and device, the agent's runtime info
// (WELCOME: runtime, engine, execution provider, OS, arch, Jetson board) and its telemetry at the start
// and at the end of the session (temperatures, clocks, power mode, throttling, energy counters).
// energy.jsonl holds, per item × policy, the energy each device drew over the item's window (STATS
// before its first RUN and after its last RESULT), where a device has power rails. Appended whole
// (jsonl-append.ts). Written by bench/run.ts through bench/device-probe.ts; read by report.
import { z } from 'zod';
import { openRecordWriter, type RecordWriter } from './jsonl-append.js';
import { readJsonlTolerant } from './jsonl-read.js';

// The agent's JSON documents as transport decoded them; kept as they came (report reads known keys).
const document = z.record(z.string(), z.unknown());

export const deviceSetupSchema = z.strictObject({
  session: z.string(), // ISO 8601 time the bench session started (one per start / --resume)
  device: z.string(),
  phase: z.enum(['start', 'end']),
  at: z.string(), // ISO 8601
  runtime: document.nullable(), // AgentRuntimeInfo (WELCOME); null on 'end' lines
  telemetry: document.nullable(), // AgentTelemetry (STATS); null: the device did not answer
  requested_execution_provider: z.enum(['auto', 'cpu', 'cuda']),
  cpu_fallback: z.boolean(), // cuda was asked and the agent reports cpu (allowed by allow_cpu_fallback, else the run stopped)
});
export type DeviceSetupRecord = z.infer<typeof deviceSetupSchema>;

export const itemEnergySchema = z.strictObject({
  dataset: z.string(),
  id: z.string(),
  policy: z.string(),
  n_tokens: z.number().int().nonnegative(), // tokens the item pushed through the model (results.jsonl n_tokens)
  window_ms: z.number().nonnegative(), // BS wall time between the two STATS rounds
  joules: z.record(z.string(), z.number().nonnegative().nullable()), // device → J over the window; null: no power rails
  rails: z.record(z.string(), z.string()), // device → the rail summed ("VDD_IN", or "sum of rails")
});
export type ItemEnergyRecord = z.infer<typeof itemEnergySchema>;

export type DeviceSetupWriter = RecordWriter<DeviceSetupRecord>;
export type ItemEnergyWriter = RecordWriter<ItemEnergyRecord>;

// Opens devices.jsonl for appending whole lines.
export function openDeviceSetupWriter(file: string, options: { durable?: boolean } = {}): DeviceSetupWriter {
  return openRecordWriter(file, deviceSetupSchema, options);
}

// Opens energy.jsonl for appending whole lines.
export function openItemEnergyWriter(file: string, options: { durable?: boolean } = {}): ItemEnergyWriter {
  return openRecordWriter(file, itemEnergySchema, options);
}

// Every committed devices.jsonl line; [] when the file is absent.
export function readDeviceSetup(file: string): DeviceSetupRecord[] {
  return readJsonlTolerant(file, deviceSetupSchema).records;
}

// Every committed energy.jsonl line; [] when the file is absent.
export function readItemEnergy(file: string): ItemEnergyRecord[] {
  return readJsonlTolerant(file, itemEnergySchema).records;
}
