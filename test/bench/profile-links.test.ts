// The link check against fake devices whose round trips follow the link model exactly, or run 20% slow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeviceChannel } from '../../src/bs/index.js';
import { checkLinks } from '../../src/bench/index.js';
import { expectedTransferMs } from '../../src/links/index.js';
import { UNLIMITED_LINK } from '../../src/policy/index.js';

const link = { model: 'fixed', rateBitsPerSec: 8e6, poolBitsPerSec: null, delayMs: 3, jitterMs: 0, lossRate: 0 } as const;

// A device that "takes" the model's time for the rate it is given (× slowdown), plus 1 ms of protocol cost.
function modelDevice(name: string, slowdown: number): DeviceChannel {
  return {
    name,
    async run(request, options) {
      const bytes = request.rows * request.hidden * 4 + 40;
      const direction = (d: { rateBitsPerSec: number | null; delayMs?: number } | undefined) =>
        expectedTransferMs({ rateBitsPerSec: d?.rateBitsPerSec ?? null, delayMs: d?.delayMs ?? 0, jitterMs: 0, lossRate: 0 }, bytes);
      const linkMs = (direction(options.link?.downlink) + direction(options.link?.uplink)) * slowdown;
      const sendStartMs = 1000;
      return {
        output: new Float32Array(request.rows * request.hidden),
        timing: { sendStartMs, downlinkDoneMs: sendStartMs, resultReceivedMs: sendStartMs, deliveredMs: sendStartMs + linkMs + 1 + 0.5, deviceComputeMs: 0.5,
          downlinkBytes: bytes, uplinkBytes: bytes, downlinkRateBitsPerSec: options.link?.downlink?.rateBitsPerSec ?? null, uplinkRateBitsPerSec: null },
      };
    },
  };
}

test('a link that behaves as modelled is within tolerance; one 20% slow is flagged, with its figures', async () => {
  const states = [{ downlink: link, uplink: link }, { downlink: link, uplink: link }, { downlink: UNLIMITED_LINK, uplink: UNLIMITED_LINK }];
  const checks = await checkLinks([modelDevice('good', 1), modelDevice('slow', 1.2), modelDevice('unshaped', 1)], states,
    { hidden: 256, layer: 0, expertOf: () => 0, repeats: 3, tolerance: 0.05, deadlineMs: 1000 });
  assert.deepEqual(checks.map((c) => c.device), ['good', 'slow'], 'an unlimited, zero-delay link has nothing to check');
  const [good, slow] = checks;
  assert.ok(Math.abs(good!.error) < 1e-9 && !good!.isOff, JSON.stringify(good));
  assert.ok(Math.abs(good!.overheadMs - 1) < 1e-9, 'the unshaped round trip is the protocol cost');
  assert.ok(Math.abs(slow!.error - 0.2) < 1e-9 && slow!.isOff, JSON.stringify(slow));
  // 8 Mbit/s with an equal share among 3 devices and no pool: the link's own rate; 20 ms at 8 Mbit/s = 20 KB = 20 rows.
  assert.equal(good!.downlinkRateBitsPerSec, 8e6);
  assert.equal(good!.rows, 20);
});
