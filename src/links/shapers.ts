// The registry of shapers by name (STYLE.md: strategies chosen from one table). `tc` is not here: a
// link shaped by the kernel needs no shaping in the transport, so tc mode uses 'none' on the BS side.
import { UnshapedLink, UserspaceShaper } from './userspace-shaper.js';
import type { LinkDirection, LinkShaper, ShaperFactory, ShaperName, ShaperOptions } from './types.js';

export const SHAPERS: Readonly<Record<ShaperName, ShaperFactory>> = {
  none: (spec) => new UnshapedLink(spec),
  userspace: (spec, seed, options) => new UserspaceShaper(spec, seed, options),
};

// A shaper for one device and direction; `seed` makes jitter and loss reproducible.
export function createShaper(mode: ShaperName, spec: LinkDirection, seed: number, options?: ShaperOptions): LinkShaper {
  return SHAPERS[mode](spec, seed, options);
}
