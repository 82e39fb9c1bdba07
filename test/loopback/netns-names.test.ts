// Names and addresses of netns loopback objects: wdmoe-prefixed, within Linux's 15-character interface
// limit, one /30 per device, and a /24 no address on the host uses yet.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_NETNS_DEVICES, netnsNamesOf, pickSubnetSlot } from '../../src/loopback/netns-names.js';

test('device names follow wdmoe-<run>-<idx>, wd<run>h<idx> / wd<idx>, wd<run>i<idx>', () => {
  assert.deepEqual(netnsNamesOf('ab12', 7, 3), {
    index: 3, netns: 'wdmoe-ab12-3', hostVeth: 'wdab12h3', deviceVeth: 'wd3', ifb: 'wdab12i3', hostAddress: '10.213.7.13', deviceAddress: '10.213.7.14',
  });
  const last = netnsNamesOf('ffff', 255, MAX_NETNS_DEVICES - 1);
  assert.ok(last.hostVeth.length <= 15 && last.ifb.length <= 15, 'IFNAMSIZ');
  assert.equal(last.deviceAddress, '10.213.255.254');
});

test('the subnet slot skips /24s already in use', () => {
  const run = '0005';
  assert.equal(pickSubnetSlot(run, ''), 5);
  assert.equal(pickSubnetSlot(run, 'inet 10.213.5.1/30 scope global wdx\ninet 10.213.6.9/30'), 7);
});
