// Reads what `simulate --replay` needs from a bench run folder: run.json (layers format), the resolved
// testbed.yaml (device names and order, each device's profile compute model, the placement), the bundle's
// manifest.json (hidden size, experts, top-k), layers.jsonl (routing and link states per layer) and
// results.jsonl (the measured latencies). Checks every shape and says what is missing. Called by replay.ts;
// reads through records/ and never loads the model runtime.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { readLayerLog, readResults, readRunMeta, RUN_FILES, type LayerRecord, type ResultRecord } from '../records/index.js';
import { SimError } from './errors.js';

// A device of the run, in testbed order, with its profile's compute model.
export interface ReplayDevice {
  readonly name: string;
  readonly compute: { readonly fixedMs: number; readonly perTokenMs: number };
}

export interface ReplayRun {
  readonly dir: string;
  readonly policies: readonly string[]; // labels, in run order
  readonly hiddenSize: number;
  readonly numExperts: number;
  readonly topK: number;
  readonly normalizeTopK: boolean;
  readonly devices: readonly ReplayDevice[];
  readonly expertDevices: readonly (readonly (readonly number[])[])[]; // [layer][expert] → device indices
  readonly layers: readonly LayerRecord[];
  readonly results: readonly ResultRecord[];
  readonly warnings: readonly string[];
}

const computeModel = z.object({ fixedMs: z.number().nonnegative(), perTokenMs: z.number().nonnegative() });
// The parts of a resolved testbed (testbedToJson, as bench writes it) the replay reads.
const runTestbedSchema = z.object({
  devices: z.array(z.object({ name: z.string(), profile: z.string() })).min(1),
  profiles: z.record(z.string(), z.object({ computeModel })),
  placement: z.record(z.string(), z.array(z.string()).min(1)),
});
const manifestSchema = z.object({
  architecture: z.object({
    hiddenSize: z.number().int().positive(),
    numLayers: z.number().int().positive(),
    numExperts: z.number().int().positive(),
    topK: z.number().int().positive(),
    routerNormalizeTopK: z.boolean().default(true),
  }),
});

function readStructured<T>(file: string, schema: z.ZodType<T>, parse: (text: string) => unknown): T {
  if (!existsSync(file)) throw new SimError('replay-missing', `${file}: not found`, 'give a run folder written by `wdmoe bench` (runs/<id>)');
  let value: unknown;
  try {
    value = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SimError('replay-bad-file', `${file}: cannot be parsed: ${(error as Error).message}`, 'the run folder is damaged; record a fresh run with wdmoe bench', error);
  }
  const checked = schema.safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new SimError('replay-bad-file', `${file}: field "${issue.path.join('.')}": ${issue.message}`, 'the run folder is damaged or from another tool; record a fresh run with wdmoe bench');
  }
  return checked.data;
}

// Device order, compute models and placement of the run's resolved testbed.
function readDevices(file: string, numLayers: number, numExperts: number): Pick<ReplayRun, 'devices' | 'expertDevices'> {
  const testbed = readStructured(file, runTestbedSchema, parseYaml);
  const devices = testbed.devices.map((device) => {
    const profile = testbed.profiles[device.profile];
    if (profile === undefined) throw new SimError('replay-bad-file', `${file}: device ${device.name}: profile "${device.profile}" is not in the file's profiles`, 'the run folder is damaged; record a fresh run with wdmoe bench');
    return { name: device.name, compute: profile.computeModel };
  });
  const indexOf = new Map(devices.map((device, index) => [device.name, index]));
  const expertDevices = Array.from({ length: numLayers }, (_, layer) => Array.from({ length: numExperts }, (_, expert) => {
    const holders = testbed.placement[`${layer}.${expert}`] ?? [];
    return holders.map((name) => {
      const index = indexOf.get(name);
      if (index === undefined) throw new SimError('replay-bad-file', `${file}: placement of expert ${layer}.${expert} names unknown device ${name}`, 'the run folder is damaged; record a fresh run with wdmoe bench');
      return index;
    });
  }));
  return { devices, expertDevices };
}

// Everything a replay of `dir` needs; a folder without layers.jsonl, or with layers of format 1 (no routing),
// is refused with a hint.
export function loadReplayRun(dir: string): ReplayRun {
  const meta = readRunMeta(dir);
  if (meta === null) throw new SimError('replay-missing', `${dir}: no run.json: not a run folder`, 'give a run folder written by `wdmoe bench` (runs/<id>)');
  const layersFile = path.join(dir, RUN_FILES.layers);
  if (!existsSync(layersFile)) throw new SimError('replay-no-layers', `${dir}: no ${RUN_FILES.layers}: the run has no per-layer log to replay`, 'record the run with a wdmoe that writes layers.jsonl (format 2), e.g. wdmoe bench <testbed> --limit 10 --out runs/<id>');
  if (meta.files.layers < 2) throw new SimError('replay-old-layers', `${layersFile}: layers format ${meta.files.layers} has no routing or link states to replay`, 'record a fresh run: bench writes layers format 2, with each token\'s gate top-k and every link\'s state');
  const { architecture } = readStructured(path.join(dir, RUN_FILES.manifest), manifestSchema, JSON.parse);
  const placement = readDevices(path.join(dir, RUN_FILES.testbed), architecture.numLayers, architecture.numExperts);
  const layers = readLayerLog(layersFile);
  const unroutable = layers.findIndex((line) => line.routing === undefined || line.link_states === undefined);
  if (unroutable >= 0) throw new SimError('replay-no-routing', `${layersFile}:${unroutable + 1}: the line has no routing or link_states (dropped from the file?)`, 'replay needs every layer line as bench wrote it (layers format 2); record a fresh run');
  const { records: results, warnings } = readResults(path.join(dir, RUN_FILES.results));
  return {
    dir, policies: meta.policies, hiddenSize: architecture.hiddenSize, numExperts: architecture.numExperts, topK: architecture.topK,
    normalizeTopK: architecture.routerNormalizeTopK, ...placement, layers, results, warnings,
  };
}
