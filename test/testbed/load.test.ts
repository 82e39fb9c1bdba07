import assert from 'node:assert/strict';
import { chmodSync, existsSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatIssue, loadTestbed, loadTestbedText, type LoadTestbedResult, type Testbed, type TestbedIssue } from '../../src/testbed/index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/testbeds/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BAD = relative(process.cwd(), join(FIXTURES, 'bad.yaml'));
// Git stores files 0644; token files must not be world-readable, so give the fixtures (and the example
// testbeds' token) the mode a user would, and one fixture the mode that must be refused.
for (const file of [join(FIXTURES, 'test.token'), join(FIXTURES, 'examples', 'lab.token'), join(ROOT, 'testbeds', 'lab.token')]) chmodSync(file, 0o600);
chmodSync(join(FIXTURES, 'world-readable.token'), 0o644);

function load(yaml: string): LoadTestbedResult {
  return loadTestbedText(BAD, yaml, { profileDirs: [join(FIXTURES, 'profiles')] });
}

function shown(issues: readonly TestbedIssue[]): string[] {
  return issues.map((issue) => formatIssue({ ...issue, file: basename(issue.file) }));
}

function loaded(yaml: string): Testbed {
  const result = load(yaml);
  assert.ok('testbed' in result, `expected a valid testbed, got:\n${'errors' in result ? shown(result.errors).join('\n') : ''}`);
  return result.testbed;
}

// A valid file: 2 layers × 4 experts on 4 loopback devices.
const VALID = `mode: loopback
model: tiny-2x4
auth:
  token: a-test-token-of-24-chars
devices:
  - name: d0
  - name: d1
  - name: d2
  - name: d3
`;

const invalidCases: Array<{ name: string; yaml: string; error: string | RegExp }> = [
  {
    name: 'malformed YAML',
    yaml: 'mode: loopback\ndevices:\n  - name: d0\n   port: [1,\n',
    error: /^bad\.yaml:4:\d+ \(yaml\): malformed YAML: /,
  },
  {
    name: 'duplicate key',
    yaml: `${VALID}mode: ssh\n`,
    error: /^bad\.yaml:10:1 \(yaml\): malformed YAML: Map keys must be unique/,
  },
  {
    name: 'unknown top-level key with did-you-mean',
    yaml: VALID.replace('mode:', 'mdoe:'),
    error: 'bad.yaml:1:1 mdoe: unknown key "mdoe"; did you mean "mode"?',
  },
  {
    name: 'unknown nested key with did-you-mean',
    yaml: VALID.replace('  - name: d1\n', '  - name: d1\n    link:\n      uplink:\n        rtae: 20mbit\n'),
    error: 'bad.yaml:10:9 devices[1].link.uplink.rtae: unknown key "rtae"; did you mean "rate"?',
  },
  {
    name: 'bad rate string',
    yaml: VALID.replace('  - name: d1\n', '  - name: d1\n    link:\n      uplink:\n        rate: 20 megabits\n'),
    error: 'bad.yaml:10:15 devices[1].link.uplink.rate: expected a rate like 20mbit, 1gbit, 500kbit, 12mbps (bytes/s, as in tc), a number of bits/s, or "unlimited", got "20 megabits"',
  },
  {
    name: 'delay without a unit',
    yaml: `${VALID}defaults:\n  link:\n    downlink: { delay: 10 }\n`,
    error: 'bad.yaml:12:24 defaults.link.downlink.delay: expected a duration like 250us, 10ms, 1.5s or 2m (0 may be bare), got number 10 (add a unit, e.g. 10ms)',
  },
  {
    name: 'zero deadline',
    yaml: `${VALID}timeouts:\n  request: 0\n`,
    error: /^bad\.yaml:11:12 timeouts\.request: expected a deadline above zero like 5s or 500ms, got 0/,
  },
  {
    name: 'wrong enum value',
    yaml: VALID.replace('mode: loopback', 'mode: loopbak'),
    error: 'bad.yaml:1:7 mode: expected "loopback" | "ssh", got "loopbak"; did you mean "loopback"?',
  },
  {
    name: 'wrong type',
    yaml: VALID.replace('  - name: d3\n', '  - name: d3\n    port: "eighty"\n'),
    error: 'bad.yaml:10:11 devices[3].port: expected a TCP port number (1–65535), got "eighty"',
  },
  {
    name: 'missing devices',
    yaml: 'model: tiny-2x4\nauth: { token: a-test-token-of-24-chars }\n',
    error: 'bad.yaml:1:1 devices: required key is missing',
  },
  {
    name: 'duplicate device names',
    yaml: VALID.replace('name: d2', 'name: d1'),
    error: 'bad.yaml:8:11 devices[2].name: duplicate device name "d1" (also devices[1])',
  },
  {
    name: 'duplicate ports',
    yaml: VALID.replace('  - name: d0\n  - name: d1\n', '  - name: d0\n    port: 47200\n  - name: d1\n    port: 47200\n'),
    error: 'bad.yaml:9:11 devices[1].port: duplicate address 127.0.0.1:47200 (also devices[0] "d0")',
  },
  {
    name: 'unplaced expert',
    yaml: `${VALID}placement:\n  d0: ["0"]\n  d1: ["1"]\n  d2: ["2", "0.3"]\n`,
    error: 'bad.yaml:11:3 placement: 1 expert(s) are on no device: 1.3 (layer.expert)',
  },
  {
    name: 'placement naming an unknown device',
    yaml: `${VALID}placement:\n  d0: ["*"]\n  dd3: ["0"]\n`,
    error: 'bad.yaml:12:8 placement.dd3: unknown device "dd3"; did you mean "d3"?',
  },
  {
    name: 'placement naming an expert the model lacks',
    yaml: `${VALID}placement:\n  d0: ["*", 2.1]\n`,
    error: 'bad.yaml:11:13 placement.d0[1]: layer 2 does not exist (the model has layers 0–1)',
  },
  {
    name: 'placement spec that is no expert',
    yaml: `${VALID}placement:\n  d0: [first]\n`,
    error: /^bad\.yaml:11:8 placement\.d0\[0\]: expected an expert like "3" \(expert 3 of every layer\), "2\.5"/,
  },
  {
    name: 'placement of the wrong type states the accepted forms',
    yaml: `${VALID}placement: everywhere\n`,
    error: /^bad\.yaml:10:12 placement: expected "round-robin" or a map of device name → list of experts .*, got "everywhere"$/,
  },
  {
    name: 'replicas above the number of devices',
    yaml: `${VALID}replicas: 5\n`,
    error: 'bad.yaml:10:11 replicas: replicas: 5 needs at least 5 devices (the testbed has 4); lower it or add devices',
  },
  {
    name: 'replicas next to a placement map',
    yaml: `${VALID}placement:\n  d0: ["*"]\nreplicas: 2\n`,
    error: 'bad.yaml:12:11 replicas: replicas: 2 applies to placement: round-robin only; with a placement map, list each expert on every device that should hold it (or remove replicas)',
  },
  {
    name: 'replicas that are no whole number',
    yaml: `${VALID}replicas: 1.5\n`,
    error: 'bad.yaml:10:11 replicas: expected a whole number of replicas from 1 up, got number 1.5',
  },
  {
    name: 'zero replicas',
    yaml: `${VALID}replicas: 0\n`,
    error: 'bad.yaml:10:11 replicas: expected a whole number of replicas from 1 up, got number 0',
  },
  {
    name: 'missing model directory',
    yaml: VALID.replace('model: tiny-2x4', 'model: no-such-model'),
    error: new RegExp(`^bad\\.yaml:2:8 model: model bundle directory not found: .*${'no-such-model'}$`),
  },
  {
    name: 'model directory without manifest.json',
    yaml: VALID.replace('model: tiny-2x4', 'model: no-manifest'),
    error: /^bad\.yaml:2:8 model: cannot read model manifest .*no-manifest\/manifest\.json: not found$/,
  },
  {
    name: 'both token and token_file',
    yaml: VALID.replace('  token: a-test-token-of-24-chars\n', '  token: a-test-token-of-24-chars\n  token_file: test.token\n'),
    error: 'bad.yaml:4:3 auth: expected exactly one of auth.token or auth.token_file, got both',
  },
  {
    name: 'unreadable token file',
    yaml: VALID.replace('  token: a-test-token-of-24-chars\n', '  token_file: missing.token\n'),
    error: /^bad\.yaml:4:15 auth\.token_file: cannot read token file .*missing\.token: not found$/,
  },
  {
    name: 'world-readable token file',
    yaml: VALID.replace('  token: a-test-token-of-24-chars\n', '  token_file: world-readable.token\n'),
    error: /^bad\.yaml:4:15 auth\.token_file: token file .*world-readable\.token is readable by every user \(mode 0644\); run `chmod 600 .*world-readable\.token`$/,
  },
  {
    name: 'unknown device profile with did-you-mean',
    yaml: VALID.replace('  - name: d0\n', '  - name: d0\n    profile: jetson-agx-orn\n'),
    error: /^bad\.yaml:7:14 devices\[0\]\.profile: unknown device profile "jetson-agx-orn" \(no profiles\/jetson-agx-orn\.yaml\); did you mean "jetson-agx-orin"\?$/,
  },
  {
    name: 'unknown link profile',
    yaml: `${VALID}defaults:\n  link: { profile: wifi-20mbt }\n`,
    error: /^bad\.yaml:11:20 defaults\.link\.profile: unknown link profile "wifi-20mbt" .*did you mean "wifi-20mbit"\?$/,
  },
  {
    name: 'invalid profile file reports its own location',
    yaml: VALID.replace('  - name: d0\n', '  - name: d0\n    profile: broken\n'),
    error: /^broken\.yaml:2:14 fp32_gflops: expected a number, got "fast"$/,
  },
  {
    name: 'non-loopback host in loopback mode',
    yaml: VALID.replace('  - name: d0\n', '  - name: d0\n    host: 10.0.0.5\n'),
    error: 'bad.yaml:7:11 devices[0].host: expected a loopback address (127.x.x.x, ::1, localhost) in loopback mode, got "10.0.0.5"',
  },
  {
    name: 'missing host in ssh mode',
    yaml: VALID.replace('mode: loopback', 'mode: ssh'),
    error: 'bad.yaml:6:5 devices[0].host: required key is missing (ssh mode needs each device\'s host)',
  },
];

describe('invalid testbeds are reported with file:line:col field', () => {
  for (const { name, yaml, error } of invalidCases) {
    test(name, () => {
      const result = load(yaml);
      assert.ok('errors' in result, 'expected errors, got a testbed');
      const messages = shown(result.errors);
      const found = messages.some((message) => (typeof error === 'string' ? message === error : error.test(message)));
      assert.ok(found, `expected ${String(error)}\n got:\n  ${messages.join('\n  ')}`);
    });
  }
});

describe('valid testbeds', () => {
  test('defaults are filled in and recorded as defaults', () => {
    const testbed = loaded(VALID);
    assert.equal(testbed.name, 'bad');
    assert.equal(testbed.shaping, 'userspace');
    assert.deepEqual(testbed.bs, { host: '127.0.0.1', bandwidthBitsPerSec: null, cell: null, clock: { mode: 'item', itemIntervalMs: 100 } });
    assert.deepEqual(testbed.timeouts, { connectMs: 5000, requestMs: 30_000 });
    assert.deepEqual(testbed.model, { numLayers: 2, numExperts: 4 });
    assert.deepEqual(testbed.devices.map((device) => `${device.host}:${device.port}`), ['127.0.0.1:47100', '127.0.0.1:47101', '127.0.0.1:47102', '127.0.0.1:47103']);
    const device = testbed.devices[0]!;
    assert.equal(device.profile, 'this-host');
    assert.equal(device.agentDir, '~/.wdmoe');
    assert.deepEqual(device.ssh.port, 22);
    assert.equal(device.ssh.keyPath, null);
    assert.deepEqual(device.link.uplink, { rateBitsPerSec: null, delayMs: 0, jitterMs: 0, lossRate: 0, trace: null });
    assert.deepEqual(testbed.sources.get('devices[d0].link.uplink.rate'), { kind: 'default' });
    assert.equal(testbed.sources.get('mode')?.kind, 'yaml');
    assert.ok(testbed.profiles.has('this-host'));
    assert.ok(Object.isFrozen(testbed) && Object.isFrozen(testbed.devices) && Object.isFrozen(device.link.uplink));
  });

  test('round-robin puts expert e of every layer on device e mod D', () => {
    const testbed = loaded(VALID.replace('  - name: d3\n', ''));
    assert.deepEqual([...testbed.placement], [
      ['0.0', ['d0']], ['0.1', ['d1']], ['0.2', ['d2']], ['0.3', ['d0']],
      ['1.0', ['d0']], ['1.1', ['d1']], ['1.2', ['d2']], ['1.3', ['d0']],
    ]);
  });

  test('replicas: 2 puts expert e of every layer on devices e and e+1 mod D, and says so', () => {
    const testbed = loaded(`${VALID.replace('  - name: d3\n', '')}replicas: 2\n`);
    assert.deepEqual([...testbed.placement], [
      ['0.0', ['d0', 'd1']], ['0.1', ['d1', 'd2']], ['0.2', ['d2', 'd0']], ['0.3', ['d0', 'd1']],
      ['1.0', ['d0', 'd1']], ['1.1', ['d1', 'd2']], ['1.2', ['d2', 'd0']], ['1.3', ['d0', 'd1']],
    ]);
    assert.equal(testbed.sources.get('replicas')?.kind, 'yaml');
  });

  test('explicit placement allows replicas and keeps "2.10"-style specs as written', () => {
    const testbed = loaded(`${VALID}placement:\n  d0: ["*"]\n  d1: [1.3, "*.0"]\n`);
    assert.deepEqual(testbed.placement.get('1.3'), ['d0', 'd1']);
    assert.deepEqual(testbed.placement.get('0.0'), ['d0', 'd1']);
    assert.deepEqual(testbed.placement.get('0.3'), ['d0']);
  });

  test('links inherit defaults, then link profiles, then device values, and say where each came from', () => {
    const testbed = loaded(`mode: loopback
model: tiny-2x4
auth: { token_file: test.token }
defaults:
  link:
    uplink: { rate: 5mbit, delay: 1ms }
    downlink: { rate: 6mbit }
devices:
  - name: d0
    link:
      profile: slow-link
      downlink: { jitter: 3ms }
  - name: d1
placement: { d0: ["0", "1"], d1: ["2", "3"] }
`);
    const [d0, d1] = testbed.devices;
    assert.deepEqual(d0!.link.uplink, { rateBitsPerSec: 1e6, delayMs: 50, jitterMs: 0, lossRate: 0, trace: null });
    assert.deepEqual(d0!.link.downlink, { rateBitsPerSec: 2e6, delayMs: 50, jitterMs: 3, lossRate: 0.01, trace: null });
    assert.deepEqual(d1!.link.uplink, { rateBitsPerSec: 5e6, delayMs: 1, jitterMs: 0, lossRate: 0, trace: null });
    assert.equal(testbed.auth.token, 'fixture-token-0123456789abcdef');
    assert.equal(testbed.sources.get('devices[d0].link.uplink.rate')?.kind, 'profile');
    assert.deepEqual(testbed.sources.get('devices[d0].link.downlink.jitter'), { kind: 'yaml', file: BAD, line: 12, col: 27 });
    assert.deepEqual(testbed.sources.get('devices[d1].link.uplink.rate'), { kind: 'yaml', file: BAD, line: 6, col: 21 });
  });

  test('warnings do not block: bytes-per-second rates and devices without experts', () => {
    const result = load(`${VALID}bs: { bandwidth: 10mbps }\nplacement: { d0: ["*"] }\n`);
    assert.ok('testbed' in result);
    const messages = shown(result.warnings);
    assert.ok(messages.some((message) => message.startsWith('bad.yaml:10:18 bs.bandwidth: "10mbps" is bytes per second in tc units (= 80mbit)')), messages.join('\n'));
    assert.ok(messages.includes('bad.yaml:7:11 devices[1].name: device "d1" holds no expert'), messages.join('\n'));
  });

  for (const name of ['loopback', 'lab-4x-orin', 'heterogeneous']) {
    test(`testbeds/${name}.yaml validates`, async () => {
      const real = join(ROOT, 'testbeds', `${name}.yaml`);
      const result = existsSync(join(ROOT, 'models/tiny-mixtral/manifest.json'))
        ? await loadTestbed(real)
        : loadTestbedText(join(FIXTURES, 'examples', `${name}.yaml`), (await import('node:fs')).readFileSync(real, 'utf8'));
      assert.ok('testbed' in result, 'errors' in result ? shown(result.errors).join('\n') : '');
      assert.equal(result.testbed.placement.size, 32);
      for (const holders of result.testbed.placement.values()) assert.ok(holders.length >= 1);
      assert.deepEqual(shown(result.warnings), []);
    });
  }

  test('loopback.yaml is 8 devices dev-0..dev-7 on ports 47100–47107, device j holding expert j', async () => {
    const result = await loadTestbed(join(ROOT, 'testbeds/loopback.yaml'));
    if (!('testbed' in result)) return assert.fail(shown(result.errors).join('\n'));
    assert.deepEqual(result.testbed.devices.map((device) => `${device.name}@${device.port}`), Array.from({ length: 8 }, (_, j) => `dev-${j}@${47100 + j}`));
    assert.deepEqual(result.testbed.placement.get('3.5'), ['dev-5']);
  });
});

test('a missing testbed file is an error, not an exception', async () => {
  const result = await loadTestbed(join(FIXTURES, 'nope.yaml'));
  assert.ok('errors' in result);
  assert.match(result.errors[0]!.message, /testbed file not found/);
});
