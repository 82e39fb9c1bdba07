import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Document, parseDocument } from 'yaml';
import type { DeviceName } from '../../src/testbed/index.js';
import { expandPlacement, keepPlacementSpecsAsWritten, parseExpertSpec } from '../../src/testbed/placement.js';

const shape = { numLayers: 2, numExperts: 3 };
const devices = ['a', 'b'] as DeviceName[];

test('expert specs: "3" is expert 3 of every layer, "2.5" one expert, "*" everything', () => {
  assert.deepEqual(parseExpertSpec('3'), { layer: '*', expert: 3 });
  assert.deepEqual(parseExpertSpec('2.5'), { layer: 2, expert: 5 });
  assert.deepEqual(parseExpertSpec('*.5'), { layer: '*', expert: 5 });
  assert.deepEqual(parseExpertSpec('2.*'), { layer: 2, expert: '*' });
  assert.deepEqual(parseExpertSpec('*'), { layer: '*', expert: '*' });
});

test('round-robin wraps experts over fewer devices', () => {
  const placement = expandPlacement('round-robin', devices, shape);
  assert.deepEqual(Object.fromEntries(placement), { '0.0': ['a'], '0.1': ['b'], '0.2': ['a'], '1.0': ['a'], '1.1': ['b'], '1.2': ['a'] });
});

test('round-robin with replicas: each expert on that many consecutive devices, capped at the number of devices', () => {
  const three = ['a', 'b', 'c'] as DeviceName[];
  assert.deepEqual(Object.fromEntries(expandPlacement('round-robin', three, shape, 2)), { '0.0': ['a', 'b'], '0.1': ['b', 'c'], '0.2': ['c', 'a'], '1.0': ['a', 'b'], '1.1': ['b', 'c'], '1.2': ['c', 'a'] });
  assert.deepEqual(expandPlacement('round-robin', three, shape, 3).get('1.1'), ['b', 'c', 'a']);
  assert.deepEqual(expandPlacement('round-robin', devices, shape, 5).get('0.1'), ['b', 'a'], 'never the same device twice');
  assert.deepEqual(Object.fromEntries(expandPlacement('round-robin', devices, shape, 1)), Object.fromEntries(expandPlacement('round-robin', devices, shape)));
});

test('explicit placement expands wildcards, allows replicas and never lists a device twice', () => {
  const placement = expandPlacement({ a: ['*', '0.0'], b: ['1.*', '0'] }, devices, shape);
  assert.deepEqual(placement.get('0.0'), ['a', 'b']);
  assert.deepEqual(placement.get('1.2'), ['a', 'b']);
  assert.deepEqual(placement.get('0.1'), ['a']);
});

test('an explicit placement leaves unlisted experts with no device (rules report them)', () => {
  const placement = expandPlacement({ a: ['0'] }, devices, shape);
  assert.deepEqual(placement.get('0.1'), []);
});

test('numeric specs keep their written form: 2.10 is layer 2 expert 10, not 2.1', () => {
  const doc: Document = parseDocument('placement:\n  a: [2.10, 3, "1.1"]\n');
  keepPlacementSpecsAsWritten(doc);
  assert.deepEqual(doc.toJS(), { placement: { a: ['2.10', '3', '1.1'] } });
});
