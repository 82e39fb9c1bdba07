// Resolves one device's link field by field from layers, most general first: built-in (unlimited,
// 0 ms, 0 loss) → defaults.link.profile → defaults.link.uplink/downlink → the device's link.profile
// → the device's link.uplink/downlink. Records where each field came from.
// Called by normalise.ts; pure apart from what its callers pass in.
import { positionOf, type FieldPath, type YamlSource } from './locate.js';
import type { ParsedLink } from './schema.js';
import type { DeviceLink, LinkDirection, LinkProfile, SettingSource } from './types.js';

type Direction = 'uplink' | 'downlink';
type FileField = 'rate' | 'delay' | 'jitter' | 'loss';

const FIELDS: ReadonlyArray<readonly [FileField, keyof LinkDirection]> = [
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
}

function valueFrom(layer: LinkLayer, direction: Direction, field: FileField, resolved: keyof LinkDirection) {
  if (layer.kind === 'profile') {
    return { value: layer.profile.link[direction][resolved], source: { kind: 'profile', name: layer.profile.name, file: layer.profile.file } as const };
  }
  const value = layer.link[direction]?.[field];
  if (value === undefined) return undefined;
  const position = positionOf(layer.source, [...layer.path, direction, field]);
  return { value, source: { kind: 'yaml', file: layer.source.file, ...position } as const };
}

// The device's link with every field filled, and each field's source.
export function resolveLink(layers: readonly LinkLayer[]): ResolvedLink {
  const sources = new Map<string, SettingSource>();
  const build = (direction: Direction): LinkDirection => {
    const result: Record<keyof LinkDirection, number | null> = { rateBitsPerSec: null, delayMs: 0, jitterMs: 0, lossRate: 0 };
    for (const [field, resolved] of FIELDS) {
      sources.set(`${direction}.${field}`, { kind: 'default' });
      for (const layer of layers) {
        const found = valueFrom(layer, direction, field, resolved);
        if (!found) continue;
        result[resolved] = found.value;
        sources.set(`${direction}.${field}`, found.source);
      }
    }
    return Object.freeze(result as unknown as LinkDirection);
  };
  return { link: Object.freeze({ uplink: build('uplink'), downlink: build('downlink') }), sources };
}
