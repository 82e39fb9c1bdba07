// --policy values: names, parameters (with continuation items), module paths, and the errors for bad ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicySpecs } from '../../src/policy/index.js';

test('a list of names, parameters and module paths parses into policies in order', () => {
  const specs = parsePolicySpecs(['topk,wdmoe:theta=0.3,rounds=4,bw', './my.mjs:k=2', 'wlr']);
  assert.deepEqual(specs.map((s) => [s.target, s.isModule, s.params, s.text]), [
    ['topk', false, {}, 'topk'],
    ['wdmoe', false, { theta: '0.3', rounds: '4' }, 'wdmoe:theta=0.3,rounds=4'],
    ['bw', false, {}, 'bw'],
    ['./my.mjs', true, { k: '2' }, './my.mjs:k=2'],
    ['wlr', false, {}, 'wlr'],
  ]);
});

const invalid = [
  { name: 'empty item', values: ['topk,,bw'], error: /empty policy name/ },
  { name: 'parameter first', values: ['theta=0.3'], error: /comes before any policy name/ },
  { name: 'colon without parameters', values: ['wdmoe:'], error: /has a colon but no parameters/ },
  { name: 'not key=value', values: ['wdmoe:theta'], error: /is not key=value/ },
  { name: 'empty value', values: ['wdmoe:theta='], error: /is not key=value/ },
  { name: 'parameter twice', values: ['wdmoe:theta=1,theta=2'], error: /theta given twice/ },
];
for (const c of invalid) {
  test(`--policy refuses ${c.name} with a clear message`, () => {
    assert.throws(() => parsePolicySpecs(c.values), (error: Error & { code?: string; exitCode?: number }) => c.error.test(error.message) && error.code === 'policy-bad-spec' && error.exitCode === 2);
  });
}
