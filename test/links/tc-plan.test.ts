// tc-plan builds the exact ip/tc argument arrays (pinned here) and runs nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classIdOf, joinPlans, planTcRemoval, planTcShaping } from '../../src/links/tc-plan.js';
import { planNftLoss } from '../../src/links/nft-loss-plan.js';

const device = (index: number, downlink: number | null, uplink: number | null) => ({
  name: `dev-${index}`, address: `10.213.0.${4 * index + 2}`, agentPort: 47100 + index, downlinkBitsPerSec: downlink, uplinkBitsPerSec: uplink,
});

test('one device at 20 mbit down and 10 mbit up gives htb egress, ingress → ifb, one class per direction', () => {
  const plan = planTcShaping({ interface: 'wdab12h0', ifb: 'wdab12i0', devices: [device(0, 20_000_000, 10_000_000)] });
  assert.deepEqual(plan.commands.map((command) => [command.file, ...command.args].join(' ')), [
    'tc qdisc add dev wdab12h0 root handle 1: htb default 0',
    'tc class add dev wdab12h0 parent 1: classid 1:a htb rate 20000000bit ceil 20000000bit quantum 60000',
    'tc filter add dev wdab12h0 parent 1: protocol ip prio 1 u32 match ip dst 10.213.0.2/32 match ip dport 47100 0xffff flowid 1:a',
    'ip link add wdab12i0 type ifb',
    'ip link set wdab12i0 up',
    'tc qdisc add dev wdab12h0 handle ffff: ingress',
    'tc filter add dev wdab12h0 parent ffff: protocol ip prio 1 u32 match u32 0 0 action mirred egress redirect dev wdab12i0',
    'tc qdisc add dev wdab12i0 root handle 1: htb default 0',
    'tc class add dev wdab12i0 parent 1: classid 1:a htb rate 10000000bit ceil 10000000bit quantum 60000',
    'tc filter add dev wdab12i0 parent 1: protocol ip prio 1 u32 match ip src 10.213.0.2/32 match ip sport 47100 0xffff flowid 1:a',
  ]);
  assert.deepEqual(plan.objects, [
    { kind: 'qdisc', dev: 'wdab12h0', parent: 'root' },
    { kind: 'link', dev: 'wdab12i0', type: 'ifb' },
    { kind: 'qdisc', dev: 'wdab12h0', parent: 'ingress' },
    { kind: 'qdisc', dev: 'wdab12i0', parent: 'root' },
  ]);
});

test('several devices behind one interface get one class each, numbered by index', () => {
  const plan = planTcShaping({ interface: 'eth1', ifb: 'wdifb0', devices: [device(0, 8_000_000, null), device(1, 1_000_000, null)] });
  const classes = plan.commands.filter((command) => command.args[0] === 'class').map((command) => command.args.join(' '));
  assert.deepEqual(classes, [
    'class add dev eth1 parent 1: classid 1:a htb rate 8000000bit ceil 8000000bit quantum 60000',
    'class add dev eth1 parent 1: classid 1:b htb rate 1000000bit ceil 1000000bit quantum 12500',
  ]);
  assert.equal(plan.commands.some((command) => command.args.includes('ifb')), false, 'no uplink rate: no ifb, no ingress');
});

test('a slow link gets the minimum quantum of one full frame', () => {
  const plan = planTcShaping({ interface: 'eth1', ifb: 'wdifb0', devices: [device(0, 64_000, null)] });
  assert.ok(plan.commands[1]!.args.join(' ').endsWith('quantum 1514'));
});

test('no rate in either direction plans nothing', () => {
  const plan = planTcShaping({ interface: 'eth1', ifb: 'wdifb0', devices: [device(0, null, null)] });
  assert.deepEqual(plan, { commands: [], objects: [] });
});

test('removal deletes the objects newest first; deleting a root qdisc takes its classes and filters', () => {
  const plan = planTcShaping({ interface: 'wdab12h0', ifb: 'wdab12i0', devices: [device(0, 20_000_000, 10_000_000)] });
  assert.deepEqual(planTcRemoval(plan.objects).map((command) => [command.file, ...command.args].join(' ')), [
    'tc qdisc del dev wdab12i0 root',
    'tc qdisc del dev wdab12h0 ingress',
    'ip link del wdab12i0',
    'tc qdisc del dev wdab12h0 root',
  ]);
});

test('class ids are hexadecimal minors from 1:a', () => {
  assert.equal(classIdOf(0), '1:a');
  assert.equal(classIdOf(6), '1:10');
});

test('loss without netem: a wdmoe-loss nftables table in the device\'s namespace drops the agent port\'s packets at random', () => {
  const plan = planNftLoss({ netns: 'wdmoe-ab12-0', agentPort: 47100, downlinkLossRate: 0.01, uplinkLossRate: 0.002 });
  assert.deepEqual(plan.commands.map((command) => [command.file, ...command.args].join(' ')), [
    'ip netns exec wdmoe-ab12-0 nft add table inet wdmoe-loss',
    'ip netns exec wdmoe-ab12-0 nft add chain inet wdmoe-loss input { type filter hook input priority 0 ; policy accept ; }',
    'ip netns exec wdmoe-ab12-0 nft add rule inet wdmoe-loss input tcp dport 47100 numgen random mod 1000000 < 10000 counter drop',
    'ip netns exec wdmoe-ab12-0 nft add chain inet wdmoe-loss output { type filter hook output priority 0 ; policy accept ; }',
    'ip netns exec wdmoe-ab12-0 nft add rule inet wdmoe-loss output tcp sport 47100 numgen random mod 1000000 < 2000 counter drop',
  ]);
  assert.deepEqual(plan.objects, [{ kind: 'nft-table', netns: 'wdmoe-ab12-0', family: 'inet', name: 'wdmoe-loss' }]);
  assert.deepEqual(planTcRemoval(plan.objects).map((command) => [command.file, ...command.args].join(' ')), ['ip netns exec wdmoe-ab12-0 nft delete table inet wdmoe-loss']);
  // One direction only: one chain; none: nothing.
  assert.equal(planNftLoss({ netns: 'n', agentPort: 1, downlinkLossRate: 0, uplinkLossRate: 0.5 }).commands.length, 3);
  assert.deepEqual(planNftLoss({ netns: 'n', agentPort: 1, downlinkLossRate: 0, uplinkLossRate: 0 }), { commands: [], objects: [] });
  // Joined after the htb plan, removal takes the table first.
  const joined = joinPlans(planTcShaping({ interface: 'wdab12h0', ifb: 'wdab12i0', devices: [device(0, 20_000_000, null)] }), plan);
  assert.deepEqual(planTcRemoval(joined.objects).map((command) => command.args.slice(0, 5).join(' ')), ['netns exec wdmoe-ab12-0 nft delete', 'qdisc del dev wdab12h0 root']);
});
