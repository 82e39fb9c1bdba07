import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAgentServes, createKernelCompanionShaper } from '../../src/bench/connect-devices.js';
import { UnshapedLink, UserspaceShaper } from '../../src/links/index.js';

test('the agent at a device\'s address must be that device and hold the experts the placement gives it', () => {
  assert.doesNotThrow(() => assertAgentServes({ device: 'dev-0', experts: ['0.0', '1.0', '0.1'] }, 'dev-0', '127.0.0.1:1', ['0.0', '1.0']));
  assert.throws(() => assertAgentServes({ device: 'dev-1', experts: ['0.0'] }, 'dev-0', '127.0.0.1:1', ['0.0']), (error: Error & { code?: string }) => error.code === 'device-mismatch' && /127\.0\.0\.1:1 says it is "dev-1"/.test(error.message));
  assert.throws(() => assertAgentServes({ device: 'dev-0', experts: ['0.0'] }, 'dev-0', '127.0.0.1:1', ['0.0', '3.1']), (error: Error & { code?: string }) => error.code === 'device-missing-experts' && /3\.1/.test(error.message));
});

test('under tc the kernel holds the rate: delay/jitter/loss go to a rate-less userspace shaper, a rate-only link to none', async () => {
  const delayed = createKernelCompanionShaper({ rateBitsPerSec: 20e6, delayMs: 15, jitterMs: 2, lossRate: 0 }, 1);
  assert.ok(delayed instanceof UserspaceShaper);
  assert.deepEqual(delayed.spec, { rateBitsPerSec: null, delayMs: 15, jitterMs: 2, lossRate: 0 });
  const timing = await delayed.transmit(1_000_000); // 1 MB: 400 ms at 20 mbit if the rate were kept
  assert.ok(timing.endMs - timing.startMs < 60, `1 MB took ${(timing.endMs - timing.startMs).toFixed(1)} ms: only the delay may count`);
  const rateOnly = createKernelCompanionShaper({ rateBitsPerSec: 20e6, delayMs: 0, jitterMs: 0, lossRate: 0 }, 1);
  assert.ok(rateOnly instanceof UnshapedLink);
});
