// Resolves one device's link field by field from layers, most general first: built-in (unlimited,
// 0 ms, 0 loss) → defaults.link.profile → defaults.link.uplink/downlink → the device's link.profile
// → the device's link.uplink/downlink. A direction's rate and trace are one slot: the most specific
// layer giving either wins (traces were read by load.ts, see read-traces.ts). The radio (`link.channel`)
// comes from resolve-channel.ts. Records where each field came from.
// Called by normalise.ts; pure apart from what its callers pass in.
import type { RateTrace } from '../channel/types.js';
import { formatField, positionOf, type FieldPath, type YamlSource } from './locate.js';
import type { TraceInput } from './read-traces.js';
import { resolveRadio, type ResolvedRadio } from './resolve-channel.js';
import type { ParsedLink } from './schema.js';
import type { DeviceLink, LinkDirection, LinkProfile, SettingSource } from './types.js';

type Direction = 'uplink' | 'downlink';
type FileField = 'rate' | 'delay' | 'jitter' | 'loss';
type NumberField = 'rateBitsPerSec' | 'delayMs' | 'jitterMs' | 'lossRate';

const FIELDS: ReadonlyArray<readonly [FileField, NumberField]> = [
  ['rate', 'rateBitsPerSec'], ['delay', 'delayMs'], ['jitter', 'jitterMs'], ['loss', 'lossRate'],
];

// One layer: a profile, or the link the YAML gives at `path`.
export type LinkLayer =
  | { readonly kind: 'profile'; readonly profile: LinkProfile }
  | { readonly kind: 'yaml'; readonly link: ParsedLink; readonly path: FieldPath; readonly source: YamlSource };

export interface ResolvedLink {
  readonly link: DeviceLink;
  // `uplink.rate` → where it came from.
  readonly sources: ReadonlyMap<string, SettingSource>;
  readonly radio: ResolvedRadio;
}

function valueFrom(layer: LinkLayer, direction: Direction, field: FileField, resolved: NumberField) {
  if (layer.kind === 'profile') {
    return { value: layer.profile.link[direction][resolved], source: { kind: 'profile', name: layer.profile.name, file: layer.profile.file } as const };
  }
  const value = layer.link[direction]?.[field];
  if (value === undefined) return undefined;
  const position = positionOf(layer.source, [...layer.path, direction, field]);
  return { value, source: { kind: 'yaml', file: layer.source.file, ...position } as const };
}

// The trace a YAML layer gives this direction (null value when it could not be read: a rule reports that).
function traceFrom(layer: LinkLayer, direction: Direction, traces: ReadonlyMap<string, TraceInput>) {
  if (layer.kind !== 'yaml' || layer.link[direction]?.trace === undefined) return undefined;
  const path = [...layer.path, direction, 'trace'];
  const input = traces.get(formatField(path));
  const value = input?.result.ok ? input.result.trace : null;
  return { value, source: { kind: 'yaml', file: layer.source.file, ...positionOf(layer.source, path) } as const };
}

// The device's link with every field filled, and each field's source.
export function resolveLink(layers: readonly LinkLayer[], traces: ReadonlyMap<string, TraceInput> = new Map()): ResolvedLink {
  const sources = new Map<string, SettingSource>();
  const build = (direction: Direction): LinkDirection => {
    const result: Record<NumberField, number | null> = { rateBitsPerSec: null, delayMs: 0, jitterMs: 0, lossRate: 0 };
    let trace: RateTrace | null = null;
    for (const [field, resolved] of FIELDS) {
      sources.set(`${direction}.${field}`, { kind: 'default' });
      for (const layer of layers) {
        const found = valueFrom(layer, direction, field, resolved);
        if (found) {
          result[resolved] = found.value;
          sources.set(`${direction}.${field}`, found.source);
          if (field === 'rate') trace = null;
        }
        const traced = field === 'rate' ? traceFrom(layer, direction, traces) : undefined;
        if (traced) {
          trace = traced.value;
          result.rateBitsPerSec = null;
          sources.set(`${direction}.rate`, traced.source);
        }
      }
    }
    return Object.freeze({ ...(result as Record<NumberField, number>), rateBitsPerSec: result.rateBitsPerSec, trace });
  };
  const radio = resolveRadio(layers);
  for (const [name, source] of radio.sources) sources.set(name, source);
  return { link: Object.freeze({ uplink: build('uplink'), downlink: build('downlink'), radio: radio.radio }), sources, radio };
}
