import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isWdmoeError } from '../../src/core/index.js';
import { TestbedError } from '../../src/testbed/index.js';

test('TestbedError lists every issue as file:line:col field: message and exits 2', () => {
  const error = new TestbedError([
    { file: 'lab.yaml', line: 7, col: 5, field: 'devices[1].link.uplink.rate', message: 'expected a rate, got "fast"' },
    { file: 'lab.yaml', line: 9, col: 3, field: 'placement', message: '1 expert(s) are on no device: 1.3 (layer.expert)' },
  ]);
  assert.ok(isWdmoeError(error));
  assert.equal(error.code, 'testbed-invalid');
  assert.equal(error.exitCode, 2);
  assert.equal(error.line, 7);
  assert.match(error.message, /^invalid testbed lab\.yaml \(2 problems\):\n {2}lab\.yaml:7:5 devices\[1\]\.link\.uplink\.rate: expected a rate, got "fast"\n {2}lab\.yaml:9:3 placement: /);
  assert.equal(error.hint, 'fix the file and check it again: wdmoe validate lab.yaml');
});
