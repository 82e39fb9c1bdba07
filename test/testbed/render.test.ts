import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { expertsOnDevice, loadTestbedText, renderTestbed, testbedToJson, type Testbed } from '../../src/testbed/index.js';

const FILE = join(fileURLToPath(new URL('../fixtures/testbeds/', import.meta.url)), 'render.yaml');

function testbed(): Testbed {
  const result = loadTestbedText(FILE, `model: tiny-2x4
auth: { token: a-test-token-of-24-chars }
defaults: { link: { uplink: { rate: 20mbit, delay: 5ms } } }
devices: [{ name: d0 }, { name: d1 }]
placement: { d0: ["*"], d1: ["1"] }
`);
  assert.ok('testbed' in result);
  return result.testbed;
}

test('renderTestbed summarises devices, links and experts', () => {
  const text = renderTestbed(testbed());
  assert.match(text, /testbed render /);
  assert.match(text, /- d0 {2}127\.0\.0\.1:47100 {2}profile this-host/);
  assert.match(text, /uplink {4}20mbit, delay 5ms, jitter 0ms, loss 0%/);
  assert.match(text, /experts {3}0,1,2,3 of every layer \(8 experts\)/);
  assert.match(text, /8 experts placed, 2 replicated/);
  assert.doesNotMatch(text, /a-test-token/);
});

test('renderTestbed --verbose says where settings came from', () => {
  const text = renderTestbed(testbed(), { verbose: true });
  assert.match(text, /uplink {4}20mbit.*\(.*render\.yaml:3:\d+\)/);
  assert.match(text, /shaping {4}userspace {2}\(default\)/);
});

test('testbedToJson is plain JSON data with the token redacted', () => {
  const json = testbedToJson(testbed());
  const roundTrip = JSON.parse(JSON.stringify(json)) as Record<string, any>;
  assert.deepEqual(roundTrip.placement['1.1'], ['d0', 'd1']);
  assert.deepEqual(roundTrip.devices[1].experts, ['0.1', '1.1']);
  assert.equal(roundTrip.auth.token, '<redacted>');
  assert.equal(roundTrip.sources['devices[d0].link.uplink.rate'].kind, 'yaml');
  assert.deepEqual(expertsOnDevice(testbed(), 'd1'), ['0.1', '1.1']);
});
