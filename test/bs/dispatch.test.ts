import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dispatchLayer, planLayerRequests, type DeviceChannel } from '../../src/bs/dispatch.js';
import { NO_EXPERT_SLOT, type PolicyDecision } from '../../src/policy/index.js';

const hidden = 2;
// Token 0 → experts 0 (dev 0) and 1 (dev 0); token 1 → expert 2 (dev 1) and 0 (dev 0); token 2 → expert 2 only.
const decision: PolicyDecision = {
  k: 2,
  experts: new Uint16Array([0, 1, 2, 0, 2, NO_EXPERT_SLOT]),
  weights: new Float32Array([0.5, 0.5, 0.75, 0.25, 1, 0]),
  slotDevice: new Int32Array([0, 0, 1, 0, 1, -1]),
  bandwidthShare: null,
};
const states = new Float32Array([1, 1, 2, 2, 3, 3]);

test('a token crosses each link once per device, whatever number of its experts live there', () => {
  const plans = planLayerRequests(0, states, hidden, decision, 2);
  assert.equal(plans.length, 2);
  const dev0 = plans.find((p) => p.device === 0)!;
  assert.deepEqual(dev0.tokens, [0, 1]);
  assert.equal(dev0.request.rows, 2);
  assert.equal(dev0.request.k, 2);
  assert.deepEqual([...dev0.request.experts], [0, 1, 0, NO_EXPERT_SLOT]);
  assert.deepEqual([...dev0.request.states], [1, 1, 2, 2]);
  const dev1 = plans.find((p) => p.device === 1)!;
  assert.deepEqual(dev1.tokens, [1, 2]);
  assert.equal(dev1.request.k, 1);
  assert.deepEqual([...dev1.request.weights], [0.75, 1]);
});

// A fake device whose expert e multiplies by (e + 1).
function fakeChannel(name: string, delayMs: number): DeviceChannel {
  return {
    name,
    async run(request) {
      const start = performance.now();
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const output = new Float32Array(request.rows * request.hidden);
      for (let r = 0; r < request.rows; r++) {
        for (let j = 0; j < request.k; j++) {
          const expert = request.experts[r * request.k + j]!;
          if (expert === NO_EXPERT_SLOT) continue;
          for (let h = 0; h < request.hidden; h++) output[r * request.hidden + h]! += request.weights[r * request.k + j]! * (expert + 1) * request.states[r * request.hidden + h]!;
        }
      }
      const end = performance.now();
      return { output, timing: { sendStartMs: start, downlinkDoneMs: start, resultReceivedMs: end, deliveredMs: end, deviceComputeMs: end - start, downlinkBytes: 8, uplinkBytes: 8, downlinkRateBitsPerSec: null, uplinkRateBitsPerSec: null } };
    },
  };
}

test('dispatchLayer sums every device\'s weighted answers per token and names the slowest device last', async () => {
  const result = await dispatchLayer([fakeChannel('a', 1), fakeChannel('b', 30)], 0, states, hidden, decision, { deadlineMs: 1000 });
  // token 0: 0.5·1·1 + 0.5·2·1 = 1.5; token 1: 0.75·3·2 + 0.25·1·2 = 5; token 2: 1·3·3 = 9
  assert.deepEqual([...result.combined], [1.5, 1.5, 5, 5, 9, 9]);
  const slowest = result.devices.reduce((a, b) => (b.finishMs > a.finishMs ? b : a));
  assert.equal(slowest.device, 'b');
  assert.ok(slowest.finishMs >= 25, `device b finished after ${slowest.finishMs} ms`);
});

test('dispatchLayer reports a failed device and keeps the answers of the others', async () => {
  const failing: DeviceChannel = { name: 'dead', run: async () => { throw new Error('device dead: lost'); } };
  const result = await dispatchLayer([fakeChannel('a', 1), failing], 0, states, hidden, decision, { deadlineMs: 1000 });
  assert.equal(result.failures.length, 1);
  assert.equal(result.failures[0]!.device, 1);
  assert.match(String(result.failures[0]!.error), /device dead/);
  // only device a's slots: token 0: 1.5; token 1: 0.25·1·2 = 0.5; token 2: nothing
  assert.deepEqual([...result.combined], [1.5, 1.5, 0.5, 0.5, 0, 0]);
  assert.deepEqual(result.devices.map((d) => d.device), ['a']);
});

test('dispatchLayer gives each request the deadline deadlineMsFor derives from its work', async () => {
  const seen: number[] = [];
  const recording = (name: string): DeviceChannel => ({ name, run: (request, options) => { seen.push(options.deadlineMs); return fakeChannel(name, 0).run(request, options); } });
  await dispatchLayer([recording('a'), recording('b')], 0, states, hidden, decision, { deadlineMs: 1000, deadlineMsFor: (d, work) => 100 * (d + 1) + work.pairs });
  // device 0: tokens 0, 1 with 3 pairs; device 1: tokens 1, 2 with 2 pairs
  assert.deepEqual(seen.sort((x, y) => x - y), [103, 202]);
});
