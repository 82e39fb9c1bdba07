import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAgentServes } from '../../src/bench/connect-devices.js';

test('the agent at a device\'s address must be that device and hold the experts the placement gives it', () => {
  assert.doesNotThrow(() => assertAgentServes({ device: 'dev-0', experts: ['0.0', '1.0', '0.1'] }, 'dev-0', '127.0.0.1:1', ['0.0', '1.0']));
  assert.throws(() => assertAgentServes({ device: 'dev-1', experts: ['0.0'] }, 'dev-0', '127.0.0.1:1', ['0.0']), (error: Error & { code?: string }) => error.code === 'device-mismatch' && /127\.0\.0\.1:1 says it is "dev-1"/.test(error.message));
  assert.throws(() => assertAgentServes({ device: 'dev-0', experts: ['0.0'] }, 'dev-0', '127.0.0.1:1', ['0.0', '3.1']), (error: Error & { code?: string }) => error.code === 'device-missing-experts' && /3\.1/.test(error.message));
});
