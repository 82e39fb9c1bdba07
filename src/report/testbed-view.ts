// The testbed of a run as the report shows it (devices, links or radios, placement), read from the run folder's
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
  trace: z.unknown().optional(),                         // a trace file (path, or {path|file, …}), null for none
});
const radio = z.looseObject({ distanceM: z.number().nullable().optional(), pathGainDb: z.number().nullable().optional(), txPowerDbm: z.number().nullable().optional() });
const testbedFileSchema = z.looseObject({
  name: z.string(),
  mode: z.string().optional(),
  shaping: z.string().optional(),
  bs: z.looseObject({
    bandwidthBitsPerSec: z.number().nullable().optional(),
    cell: z.looseObject({ downlinkBandwidthHz: z.number().optional(), uplinkBandwidthHz: z.number().optional(), fading: z.string().optional() }).nullable().optional(),
  }).optional(),
  devices: z.array(z.looseObject({
    name: z.string(),
    host: z.string().optional(),
    port: z.number().optional(),
    profile: z.string().optional(),
    link: z.looseObject({ uplink: direction.optional(), downlink: direction.optional(), radio: radio.nullable().optional() }).optional(),
    experts: z.array(z.string()).optional(),
  })),
});

export interface LinkView {
  readonly rate_bits_per_sec: number | null;
  readonly delay_ms: number | null;
  readonly jitter_ms: number | null;
  readonly loss_rate: number | null;
  readonly model: string | null;
  readonly trace: string | null;          // the trace file's name, when the direction replays one
}

// A device's radio in the BS's cell (the channel model sets its rates), where the testbed gives one.
export interface RadioView {
  readonly distance_m: number | null;
  readonly path_gain_db: number | null;
  readonly tx_power_dbm: number | null;
}

export interface TestbedView {
  readonly name: string;
  readonly mode: string | null;
  readonly shaping: string | null;
  readonly bs_bandwidth_bits_per_sec: number | null;
  readonly cell: { readonly downlink_bandwidth_hz: number | null; readonly uplink_bandwidth_hz: number | null; readonly fading: string | null } | null;
  readonly devices: readonly {
    name: string; host: string | null; profile: string | null; uplink: LinkView; downlink: LinkView; radio: RadioView | null; experts: readonly string[];
  }[];
}

function linkView(value: z.infer<typeof direction> | undefined): LinkView {
  return {
    rate_bits_per_sec: value?.rateBitsPerSec ?? null,
    delay_ms: value?.delayMs ?? null,
    jitter_ms: value?.jitterMs ?? null,
    loss_rate: value?.lossRate ?? null,
    model: value?.model ?? null,
    trace: traceName(value?.trace),
  };
}

// The file name of a trace given as a path or as an object naming one.
function traceName(trace: unknown): string | null {
  const file = typeof trace === 'string' ? trace : trace !== null && typeof trace === 'object'
    ? (trace as Record<string, unknown>)['path'] ?? (trace as Record<string, unknown>)['file'] : null;
  return typeof file === 'string' ? file.split('/').pop()! : null;
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
      cell: file.bs?.cell == null ? null : {
        downlink_bandwidth_hz: file.bs.cell.downlinkBandwidthHz ?? null,
        uplink_bandwidth_hz: file.bs.cell.uplinkBandwidthHz ?? null,
        fading: file.bs.cell.fading ?? null,
      },
      devices: file.devices.map((device) => ({
        name: device.name,
        host: device.host ?? null,
        profile: device.profile ?? null,
        uplink: linkView(device.link?.uplink),
        downlink: linkView(device.link?.downlink),
        radio: device.link?.radio == null ? null : {
          distance_m: device.link.radio.distanceM ?? null,
          path_gain_db: device.link.radio.pathGainDb ?? null,
          tx_power_dbm: device.link.radio.txPowerDbm ?? null,
        },
        experts: device.experts ?? [],
      })),
    },
  };
}
