// The per-device agent runtime (`runtime: node|python`, docs/testbed.md): default node, inherited from
// defaults.runtime, recorded with its source, rendered, and a bad value reported at its line.
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatIssue, loadTestbedText, renderTestbed, type Testbed } from '../../src/testbed/index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/testbeds/', import.meta.url));
const FILE = relative(process.cwd(), join(FIXTURES, 'runtime.yaml'));

const yaml = (devices: string, defaults = '') => `mode: loopback
model: tiny-2x4
auth:
  token: a-test-token-of-24-chars
${defaults}devices:
${devices}`;

function load(text: string): { testbed?: Testbed; errors: string[] } {
  const result = loadTestbedText(FILE, text, { profileDirs: [join(FIXTURES, 'profiles')] });
  if ('testbed' in result) return { testbed: result.testbed, errors: [] };
  return { errors: result.errors.map((issue) => formatIssue({ ...issue, file: basename(issue.file) })) };
}

test('devices run the Node agent unless the device or defaults.runtime says python', () => {
  const plain = load(yaml('  - name: d0\n  - name: d1\n  - name: d2\n  - name: d3\n')).testbed!;
  assert.deepEqual(plain.devices.map((device) => device.runtime), ['node', 'node', 'node', 'node']);
  assert.deepEqual(plain.sources.get('devices[d0].runtime'), { kind: 'default' });

  const mixed = load(yaml('  - name: d0\n  - { name: d1, runtime: python }\n  - name: d2\n  - name: d3\n')).testbed!;
  assert.deepEqual(mixed.devices.map((device) => device.runtime), ['node', 'python', 'node', 'node']);
  assert.equal(mixed.sources.get('devices[d1].runtime')?.kind, 'yaml');
  assert.match(renderTestbed(mixed), /- d1 [^\n]*\n\s+runtime\s+python/);

  const inherited = load(yaml('  - name: d0\n  - { name: d1, runtime: node }\n  - name: d2\n  - name: d3\n', 'defaults:\n  runtime: python\n')).testbed!;
  assert.deepEqual(inherited.devices.map((device) => device.runtime), ['python', 'node', 'python', 'python']);
});

test('an unknown runtime names the line, the field and the accepted values', () => {
  const { errors } = load(yaml('  - name: d0\n  - { name: d1, runtime: pyton }\n  - name: d2\n  - name: d3\n'));
  assert.ok(errors.some((error) => /^runtime\.yaml:7:\d+ devices\[1\]\.runtime: expected "node" \| "python", got "pyton"; did you mean "python"\?$/.test(error)), errors.join('\n'));
  const { errors: defaultsErrors } = load(yaml('  - name: d0\n', 'defaults:\n  runtime: 3\n'));
  assert.ok(defaultsErrors.some((error) => /^runtime\.yaml:6:\d+ defaults\.runtime: expected "node" \| "python"/.test(error)), defaultsErrors.join('\n'));
});

// The interpreter of runtime python devices (`python`, docs/testbed.md): null = the default, inherited from
// defaults.python, a loopback path resolved against the YAML file, an ssh path kept as the device's.
test('python: null unless named; a device overrides defaults.python; loopback paths resolve against the YAML file, ssh paths stay the device\'s', () => {
  const plain = load(yaml('  - { name: d0, runtime: python }\n')).testbed!;
  assert.equal(plain.devices[0]!.python, null);
  assert.deepEqual(plain.sources.get('devices[d0].python'), { kind: 'default', note: '$WDMOE_PYTHON, else python3' });
  assert.match(renderTestbed(plain), /runtime\s+python, interpreter \$WDMOE_PYTHON, else python3/);

  const loopback = load(yaml('  - { name: d0, runtime: python, python: venv/bin/python }\n  - { name: d1, runtime: python }\n  - { name: d2, runtime: python, python: python3.11 }\n  - { name: d3, runtime: python, python: ~/conda/bin/python }\n', 'defaults:\n  python: /opt/torch/bin/python\n')).testbed!;
  assert.deepEqual(loopback.devices.map((device) => device.python), [join(FIXTURES, 'venv/bin/python'), '/opt/torch/bin/python', 'python3.11', join(homedir(), 'conda/bin/python')]);
  assert.equal(loopback.sources.get('devices[d0].python')?.kind, 'yaml');
  assert.match(renderTestbed(loopback), /- d1 [^\n]*\n\s+runtime\s+python, interpreter \/opt\/torch\/bin\/python/);

  const ssh = load(yaml('  - { name: d0, host: 10.0.0.2, runtime: python, python: venv/bin/python }\n  - { name: d1, host: 10.0.0.3, runtime: python, python: ~/conda/bin/python }\n  - { name: d2, host: 10.0.0.4, runtime: python }\n').replace('mode: loopback', 'mode: ssh')).testbed!;
  assert.deepEqual(ssh.devices.map((device) => device.python), ['venv/bin/python', '~/conda/bin/python', null]);
  assert.match(renderTestbed(ssh), /- d2 [^\n]*\n\s+runtime\s+python, interpreter python3\n/);
});

test('a python that is empty, not a string or not one line is reported at its line; python on a Node device is a warning', () => {
  const invalid = [
    { python: '""', error: /^runtime\.yaml:6:\d+ devices\[0\]\.python: expected a python interpreter: a path like ~\/venv\/bin\/python or \/usr\/bin\/python3\.8, or a command like python3, not empty, got ""$/ },
    { python: '3', error: /^runtime\.yaml:6:\d+ devices\[0\]\.python: expected a python interpreter/ },
    { python: '"a\\nb"', error: /^runtime\.yaml:6:\d+ devices\[0\]\.python: expected a python interpreter: .* on one line, got "a\\nb"$/ },
  ];
  for (const { python, error } of invalid) {
    const { errors } = load(yaml(`  - { name: d0, runtime: python, python: ${python} }\n`));
    assert.ok(errors.some((line) => error.test(line)), `${python}:\n${errors.join('\n')}`);
  }
  const { errors: defaultsErrors } = load(yaml('  - name: d0\n', 'defaults:\n  python: ""\n'));
  assert.ok(defaultsErrors.some((line) => /^runtime\.yaml:6:\d+ defaults\.python: expected a python interpreter/.test(line)), defaultsErrors.join('\n'));

  const result = loadTestbedText(FILE, yaml('  - { name: d0, python: /usr/bin/python3 }\n  - { name: d1, runtime: python, python: /usr/bin/python3 }\n'), { profileDirs: [join(FIXTURES, 'profiles')] });
  assert.ok('testbed' in result);
  const warnings = result.warnings.map((issue) => formatIssue({ ...issue, file: basename(issue.file) }));
  assert.deepEqual(warnings, ['runtime.yaml:6:25 devices[0].python: device "d0" runs the Node agent (runtime: node), which uses no python interpreter; add runtime: python or remove python']);
});
