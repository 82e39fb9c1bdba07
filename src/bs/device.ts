// One device as the BS's forward pass sees it: its name, the compute model its profile gives the
// policies, the channel that reaches it and its health (up, or down and why) — one object per device instead of parallel arrays
// matched by index. Built by bench/connect-devices.ts (and tests); read by bs/forward.ts.
import type { EstimateSource } from '../policy/index.js';
import type { DeviceHealth } from './device-health.js';
import type { DeviceChannel } from './dispatch.js';

// A device of the run, in testbed order (its index is what placement and policy decisions refer to).
export interface BsDevice extends EstimateSource {
  readonly channel: DeviceChannel;
  readonly health: DeviceHealth; // up, or down and why; shared by every item of the run
}
