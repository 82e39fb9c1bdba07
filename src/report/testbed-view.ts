// The testbed of a run as the report shows it (devices, links, placement), read from the run folder's
// testbed.yaml (bench writes it as resolved: testbed/render.ts testbedToJson). Loose on purpose: keys
// this version does not show are ignored, so a newer testbed still gets its table. Called by load-run.ts.

import { parse } from 'yaml';
import { z } from 'zod';

const direction = z.looseObject({
  model: z.string().optional(),                          // link model, where the testbed names one
  rateBitsPerSec: z.number().nullable().optional(),      // null: unshaped
  delayMs: z.number().optional(),
  jitterMs: z.number().optional(),
  lossRate: z.number().optional(),
});
const testbedFileSchema = z.looseObject({
  name: z.string(),
  mode: z.string().optional(),
  shaping: z.string().optional(),
  bs: z.looseObject({ bandwidthBitsPerSec: z.number().nullable().optional() }).optional(),
  devices: z.array(z.looseObject({
    name: z.string(),
    host: z.string().optional(),
    port: z.number().optional(),
    profile: z.string().optional(),
    link: z.looseObject({ uplink: direction.optional(), downlink: direction.optional() }).optional(),
    experts: z.array(z.string()).optional(),
  })),
});

export interface LinkView {
  readonly rate_bits_per_sec: number | null;
  readonly delay_ms: number | null;
  readonly jitter_ms: number | null;
  readonly loss_rate: number | null;
  readonly model: string | null;
}

export interface TestbedView {
  readonly name: string;
  readonly mode: string | null;
  readonly shaping: string | null;
  readonly bs_bandwidth_bits_per_sec: number | null;
  readonly devices: readonly { name: string; host: string | null; profile: string | null; uplink: LinkView; downlink: LinkView; experts: readonly string[] }[];
}

function linkView(value: z.infer<typeof direction> | undefined): LinkView {
  return {
    rate_bits_per_sec: value?.rateBitsPerSec ?? null,
    delay_ms: value?.delayMs ?? null,
    jitter_ms: value?.jitterMs ?? null,
    loss_rate: value?.lossRate ?? null,
    model: value?.model ?? null,
  };
}

// The testbed's table, or the reason it cannot be shown (a note, never an error: the records still report).
export function parseTestbedView(text: string): { testbed: TestbedView } | { problem: string } {
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    return { problem: `not valid YAML (${(error as Error).message.split('\n')[0]})` };
  }
  const checked = testbedFileSchema.safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    return { problem: `field "${issue.path.join('.')}": ${issue.message}` };
  }
  const file = checked.data;
  return {
    testbed: {
      name: file.name,
      mode: file.mode ?? null,
      shaping: file.shaping ?? null,
      bs_bandwidth_bits_per_sec: file.bs?.bandwidthBitsPerSec ?? null,
      devices: file.devices.map((device) => ({
        name: device.name,
        host: device.host ?? null,
        profile: device.profile ?? null,
        uplink: linkView(device.link?.uplink),
        downlink: linkView(device.link?.downlink),
        experts: device.experts ?? [],
      })),
    },
  };
}
