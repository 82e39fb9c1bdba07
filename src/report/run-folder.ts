// What report reads from one run folder, after load-run.ts has checked it: the records deduplicated, the
// testbed as a table, and the notes that say what is missing or old. Types only; shared by report/.

import type { DeviceSetupRecord, GenerationRecord, ItemEnergyRecord, ItemScoreRecord, LayerRecord, ResultRecord, RunMeta, SweepFileRow } from '../records/index.js';
import type { TestbedView } from './testbed-view.js';

// A layers.jsonl device entry with the fields a newer layers format adds (bandwidth share 0..1); absent in
// format 1. Read with `typeof … === 'number'` checks, never assumed.
export type LayerDeviceLine = LayerRecord['devices'][number] & { readonly share?: number | null };

// A layers.jsonl line, with the channel clock a newer layers format adds (ms since the run's channel
// started; absent in format 1, where the plots use the line's position instead).
export type LayerLine = Omit<LayerRecord, 'devices'> & { readonly channel_time_ms?: number | null; readonly devices: readonly LayerDeviceLine[] };

export interface RunFolder {
  readonly dir: string;                      // absolute
  readonly label: string;                    // how tables name the run (folder name, made unique)
  readonly meta: RunMeta | null;             // null: no run.json (an older run folder)
  readonly results: readonly ResultRecord[]; // last line per (dataset, policy, id), in order of first appearance
  readonly scores: readonly ItemScoreRecord[];
  readonly generations: readonly GenerationRecord[];
  readonly layers: readonly LayerLine[] | null; // null: no usable layers.jsonl (see notes)
  readonly testbed: TestbedView | null;
  readonly policyParams: Readonly<Record<string, unknown>> | null; // policies.json: label → parameters
  readonly sweep: readonly SweepFileRow[] | null; // sweep.json of a simulated sweep; null for other runs
  readonly deviceSetup: readonly DeviceSetupRecord[]; // devices.jsonl ([] for older runs and simulations)
  readonly energy: readonly ItemEnergyRecord[];      // energy.jsonl lines of finished items ([]: no power rails)
  readonly notes: readonly string[];         // what is missing, old or half-finished, for the reader
}
