import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceHealth, DeviceLossError, type BsDevice, type DeviceChannel } from '../../src/bs/index.js';
import { checkUnservedCandidates, dispatchWithFailover } from '../../src/bs/layer-failover.js';
import { NO_EXPERT_SLOT, UNLIMITED_LINK, type PolicyContext, type PolicyDecision } from '../../src/policy/index.js';
import { DeviceError } from '../../src/transport/index.js';

const hidden = 1;
// Expert e multiplies by (e + 1); a lost device rejects like a DeviceClient whose agent was killed.
function channel(name: string, isLost: () => boolean): DeviceChannel {
  return {
    name,
    async run(request) {
      if (isLost()) throw new DeviceError({ device: name, phase: 'run', failure: 'lost', detail: 'connection to 127.0.0.1:1 lost (while waiting for RESULT for layer 0)' });
      const output = new Float32Array(request.rows * hidden);
      for (let r = 0; r < request.rows; r++) {
        for (let j = 0; j < request.k; j++) {
          const expert = request.experts[r * request.k + j]!;
          if (expert !== NO_EXPERT_SLOT) output[r]! += request.weights[r * request.k + j]! * (expert + 1) * request.states[r]!;
        }
      }
      const now = performance.now();
      return { output, timing: { sendStartMs: now, downlinkDoneMs: now, resultReceivedMs: now, deliveredMs: now, deviceComputeMs: 0, downlinkBytes: 4, uplinkBytes: 4, downlinkRateBitsPerSec: null, uplinkRateBitsPerSec: null } };
    },
  };
}
const devicesWith = (lost: string[]): BsDevice[] => ['a', 'b', 'c'].map((name) => ({ name, compute: { fixedMs: 0, perTokenMs: 0 }, channel: channel(name, () => lost.includes(name)), health: new DeviceHealth(name) }));
// token 0: expert 0 (0.5, on a) + expert 1 (0.5, on b); token 1: expert 1 only (on b)
const decision: PolicyDecision = { k: 2, experts: new Uint16Array([0, 1, 1, NO_EXPERT_SLOT]), weights: new Float32Array([0.5, 0.5, 1, 0]), slotDevice: new Int32Array([0, 1, 1, -1]), bandwidthShare: null };
const states = new Float32Array([1, 2]);
const options = { deadlineMs: 1000 } as const;

test('a lost device is marked down and its experts are served by their replica: the same output, a failover recorded', async () => {
  const devices = devicesWith(['b']);
  const result = await dispatchWithFailover(devices, [[0], [1, 2]], 0, states, hidden, decision, { ...options, onDeviceLoss: 'fail' });
  assert.deepEqual([...result.combined], [0.5 * 1 + 0.5 * 2, 1 * 2 * 2]);
  assert.equal(devices[1]!.health.isUp, false);
  assert.equal(devices[1]!.health.down?.failure, 'lost');
  assert.deepEqual(result.events.map((e) => e.kind), ['down', 'failover']);
  assert.deepEqual(result.events[1], { kind: 'failover', device: 'b', layer: 0, to: 'c', experts: ['0.1'] });
  assert.match((result.events[0] as { reason: string }).reason, /lost/);
});

test('without a replica, --on-device-loss fail throws naming the device, the layer and the experts', async () => {
  const devices = devicesWith(['b']);
  await assert.rejects(dispatchWithFailover(devices, [[0], [1]], 0, states, hidden, decision, { ...options, onDeviceLoss: 'fail' }), (error: unknown) => {
    assert.ok(error instanceof DeviceLossError);
    assert.equal(error.device, 'b');
    assert.equal(error.layer, 0);
    assert.deepEqual(error.experts, ['0.1']);
    assert.match(error.message, /^device b: connection to 127\.0\.0\.1:1 lost .*layer 0: expert\(s\) 0\.1 are on no other device that is up/);
    return true;
  });
});

test('without a replica, --on-device-loss skip drops the lost experts and renormalises each token over the ones it kept', async () => {
  const devices = devicesWith(['b']);
  const result = await dispatchWithFailover(devices, [[0], [1]], 0, states, hidden, decision, { ...options, onDeviceLoss: 'skip' });
  // token 0 keeps expert 0 alone, at weight 1: 1·1·1; token 1 lost its only expert
  assert.deepEqual([...result.combined], [1, 0]);
  assert.deepEqual(result.events.map((e) => e.kind), ['down', 'skip']);
  assert.deepEqual(result.events[1], { kind: 'skip', device: 'b', layer: 0, experts: ['0.1'] });
});

test('an error that is not a device failure (a bug, an abort) is thrown, not failed over', async () => {
  const devices = devicesWith([]);
  const broken: BsDevice = { ...devices[1]!, channel: { name: 'b', run: async () => { throw new TypeError('bug'); } } };
  await assert.rejects(dispatchWithFailover([devices[0]!, broken, devices[2]!], [[0], [1, 2]], 0, states, hidden, decision, { ...options, onDeviceLoss: 'skip' }), TypeError);
  assert.equal(broken.health.isUp, true);
});

test('before the policy: experts whose holders are all down fail the item (fail) or are reported skipped (skip)', () => {
  const devices = devicesWith([]);
  devices[1]!.health.markDown({ layer: 0, failure: 'timeout', reason: 'no RESULT for layer 0 within 2000 ms' });
  const link = UNLIMITED_LINK;
  const ctx: PolicyContext = {
    layer: 3, tokens: 1, numExperts: 3, topK: 2, normalizeTopK: true, gateProbs: new Float32Array([0.1, 0.6, 0.3]), hiddenSize: 1, bytesPerValue: 4,
    devices: devices.map((d) => ({ name: d.name, downlink: link, uplink: link, compute: d.compute, available: d.health.isUp })),
    expertDevices: [[0], [1], [1, 2]], random: () => 0.5,
  };
  assert.deepEqual(checkUnservedCandidates(ctx, devices, 'skip'), [{ kind: 'skip', device: 'b', layer: 3, experts: ['3.1'] }]);
  assert.throws(() => checkUnservedCandidates(ctx, devices, 'fail'), /device b: down since layer 0: no RESULT for layer 0 within 2000 ms; layer 3: expert\(s\) 3\.1/);
  devices[1]!.health.markUp(1);
  assert.deepEqual(checkUnservedCandidates(ctx, devices, 'fail'), []);
});
