// The in-process "device" of the monolithic reference (--placement local): experts run in the BS
// process with no links, through the same dispatch code as real devices.
import type { ExpertCompute } from '../model/index.js';
import type { DeviceChannel } from './dispatch.js';

// Wraps an ExpertCompute as a DeviceChannel named `name`.
export function createLocalChannel(name: string, compute: ExpertCompute): DeviceChannel {
  return {
    name,
    async run(request) {
      const sendStartMs = performance.now();
      const output = await compute.apply(request);
      const doneMs = performance.now();
      return {
        output,
        timing: {
          sendStartMs,
          downlinkDoneMs: sendStartMs,
          resultReceivedMs: doneMs,
          deliveredMs: doneMs,
          deviceComputeMs: doneMs - sendStartMs,
          downlinkBytes: 0,
          uplinkBytes: 0,
          downlinkRateBitsPerSec: null,
          uplinkRateBitsPerSec: null,
        },
      };
    },
  };
}
