// tc-detect probes the kernel in a throw-away namespace (root only; skipped visibly otherwise).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { describeLinkEmulation, describeTcFeatures, detectTcFeatures, missingForPlan, resolveLinkEmulation } from '../../src/links/tc-detect.js';

const isRoot = process.getuid?.() === 0;

test('tc-detect finds htb, u32, mirred and ifb and leaves no probe namespace', { skip: isRoot ? false : 'needs root (tc and ip netns): SKIPPED, not passed' }, async () => {
  const features = await detectTcFeatures();
  assert.equal(features.qdiscs.htb, true);
  assert.equal(features.filters.u32, true);
  assert.equal(features.actions.mirred, true);
  assert.equal(features.links.ifb, true);
  assert.deepEqual(missingForPlan(features), []);
  assert.match(describeTcFeatures(features), /^tc: has htb/);
  // nftables is installed with the project (.ci/run): its random drop gives loss.
  assert.equal(features.nftables.numgen, true);
  assert.equal(resolveLinkEmulation(features).loss, 'nftables');
  // netem, fq_codel, flower, police: whatever this kernel says, reported as booleans, never assumed.
  for (const value of [features.qdiscs.netem, features.qdiscs.fq_codel, features.filters.flower, features.actions.police]) assert.equal(typeof value, 'boolean');
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  assert.doesNotMatch(namespaces, new RegExp(`wdmoe-probe-${process.pid}\\b`));
});

test('missingForPlan names what a kernel without ifb and mirred lacks', () => {
  const features = {
    qdiscs: { htb: true, tbf: true, netem: false, fq_codel: false, ingress: true, clsact: true },
    filters: { u32: true, flower: false },
    actions: { mirred: false, police: false },
    links: { ifb: false },
    nftables: { numgen: false },
  };
  assert.deepEqual(missingForPlan(features), ['mirred action', 'ifb link']);
  assert.equal(describeTcFeatures(features), 'tc: has htb, tbf, ingress, clsact, u32; lacks netem, fq_codel, flower, mirred, police, ifb, nftables numgen');
});

test('what emulates each link property: htb rates, userspace delay and jitter, nftables loss where nft works', () => {
  const base = {
    qdiscs: { htb: true, tbf: true, netem: false, fq_codel: false, ingress: true, clsact: true },
    filters: { u32: true, flower: false }, actions: { mirred: true, police: false }, links: { ifb: true },
  };
  assert.deepEqual(resolveLinkEmulation({ ...base, nftables: { numgen: true } }), { rate: 'htb', delay: 'userspace', jitter: 'userspace', loss: 'nftables' });
  const without = resolveLinkEmulation({ ...base, nftables: { numgen: false } });
  assert.equal(without.loss, 'userspace');
  assert.equal(describeLinkEmulation(without), 'links: rate by tc htb; delay and jitter by the userspace shaper; loss by the userspace shaper');
});
