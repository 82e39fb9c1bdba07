// The channel clock (`bs.clock`): which moment the channel is read at. `item`: item i of the run is at
// i · itemIntervalMs for all its layers and every policy alike (reproducible and fair: policies are compared
// on the same channel); `wall`: milliseconds since the run started, what a real testbed sees.
// Called by bench/bs to pick the time handed to LinkStates.at. Imports only ./types.
import type { LinkClock } from './types.js';

// The channel time (ms) for item `itemIndex` of a run that is `wallElapsedMs` old.
export function channelTimeMs(clock: LinkClock, moment: { readonly itemIndex: number; readonly wallElapsedMs: number }): number {
  return clock.mode === 'wall' ? moment.wallElapsedMs : moment.itemIndex * clock.itemIntervalMs;
}
