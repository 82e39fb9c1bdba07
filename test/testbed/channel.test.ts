// The wireless and trace parts of the testbed: bs.channel, bs.clock, link.channel, per-direction traces.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatIssue, loadTestbedText, renderTestbed, testbedToJson, validateTestbed, type LoadTestbedResult, type Testbed, type TestbedIssue } from '../../src/testbed/index.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/testbeds/', import.meta.url));
const TRACES = fileURLToPath(new URL('../fixtures/traces/', import.meta.url));
const BAD = relative(process.cwd(), join(FIXTURES, 'bad.yaml'));

const load = (yaml: string): LoadTestbedResult => loadTestbedText(BAD, yaml, { profileDirs: [join(FIXTURES, 'profiles')] });
const shown = (issues: readonly TestbedIssue[]) => issues.map((issue) => formatIssue({ ...issue, file: basename(issue.file) }));
function loaded(yaml: string): { testbed: Testbed; warnings: string[] } {
  const result = load(yaml);
  assert.ok('testbed' in result, `expected a valid testbed, got:\n${'errors' in result ? shown(result.errors).join('\n') : ''}`);
  return { testbed: result.testbed, warnings: shown(result.warnings) };
}

const HEAD = `mode: loopback
model: tiny-2x4
auth:
  token: a-test-token-of-24-chars
`;
// Line 9 is d0's link; d1..d3 follow.
const RADIO = `${HEAD}bs:
  channel:
    bandwidth: 20MHz
devices:
  - name: d0
    link:
      channel: { distance_m: 120 }
  - name: d1
    link:
      channel: { path_gain_db: -95, tx_power_dbm: 20 }
  - name: d2
  - name: d3
`;
const TRACED = `${HEAD}devices:
  - name: d0
    link:
      downlink: { trace: ../traces/lte-like.csv, delay: 3ms }
      uplink:
        trace: { file: ../traces/steps-24-12-6mbit.mahimahi, bin: 50ms }
  - name: d1
  - name: d2
  - name: d3
`;

describe('valid wireless testbeds', () => {
  test('bs.channel resolves with the PAPERS.md defaults; devices with link.channel get a radio', () => {
    const { testbed } = loaded(RADIO);
    assert.deepEqual(testbed.bs.cell, {
      downlinkBandwidthHz: 20e6, uplinkBandwidthHz: 20e6, bsTxPowerDbm: 43, noisePsdDbmPerHz: -174, noiseFigureDb: 9,
      pathLoss: { interceptDb: 128.1, slopeDb: 37.6 }, shadowingSigmaDb: 0, fading: 'rayleigh', coherenceMs: 100,
    });
    assert.deepEqual(testbed.bs.clock, { mode: 'item', itemIntervalMs: 100 });
    assert.deepEqual(testbed.devices.map((device) => device.link.radio), [
      { distanceM: 120, pathGainDb: null, txPowerDbm: 23 }, { distanceM: null, pathGainDb: -95, txPowerDbm: 20 }, null, null,
    ]);
    assert.deepEqual(testbed.sources.get('devices[d0].link.channel.position'), { kind: 'yaml', file: BAD, line: 11, col: 30 });
  });

  test('every cell key can be set; per-direction bandwidths override bandwidth; the wall clock', () => {
    const yaml = `${HEAD}bs:
  clock: wall
  item_interval: 250ms
  channel:
    bandwidth: 100MHz
    uplink_bandwidth: 10 MHz
    tx_power_dbm: 40
    noise_psd_dbm_hz: -170
    noise_figure_db: 7
    path_loss: { intercept_db: 120, slope_db: 35 }
    shadowing_sigma_db: 8
    fading: none
    coherence: 20ms
defaults:
  link:
    channel: { tx_power_dbm: 21 }
devices:
  - name: d0
    link: { channel: { distance_m: 60 } }
  - name: d1
    link: { channel: { distance_m: 450, tx_power_dbm: 10 } }
  - name: d2
    link: { channel: { path_gain_db: -100 } }
  - name: d3
    link: { channel: { distance_m: 1000 } }
`;
    const { testbed } = loaded(yaml);
    assert.deepEqual(testbed.bs.cell, {
      downlinkBandwidthHz: 100e6, uplinkBandwidthHz: 10e6, bsTxPowerDbm: 40, noisePsdDbmPerHz: -170, noiseFigureDb: 7,
      pathLoss: { interceptDb: 120, slopeDb: 35 }, shadowingSigmaDb: 8, fading: 'none', coherenceMs: 20,
    });
    assert.deepEqual(testbed.bs.clock, { mode: 'wall', itemIntervalMs: 250 });
    assert.deepEqual(testbed.devices.map((device) => device.link.radio?.txPowerDbm), [21, 10, 21, 21]);
    const text = renderTestbed(testbed);
    assert.match(text, /channel {4}down 100MHz \/ up 10MHz, BS 40 dBm, noise -170 dBm\/Hz \+ 7 dB, path loss 120 \+ 35·log10\(d\/km\) dB, shadowing σ 8 dB, no fading/);
    assert.match(text, /- d1 .*\n {6}channel {3}450 m from the BS, 10 dBm\n {6}downlink  from the channel/);
    assert.match(text, /clock {6}wall/);
  });

  test('a radio device inherits its position from defaults and may override it with the other form', () => {
    const yaml = `${HEAD}bs: { channel: {} }
defaults:
  link: { channel: { distance_m: 200 } }
devices:
  - name: d0
  - name: d1
    link: { channel: { path_gain_db: -90 } }
  - name: d2
  - name: d3
`;
    const { testbed } = loaded(yaml);
    assert.deepEqual(testbed.devices.map((device) => [device.link.radio?.distanceM, device.link.radio?.pathGainDb]), [[200, null], [null, -90], [200, null], [200, null]]);
  });

  test('traces are read during load: CSV by extension, Mahimahi with its bin; delay still allowed beside a trace', () => {
    const { testbed } = loaded(TRACED);
    const { downlink, uplink } = testbed.devices[0]!.link;
    assert.equal(downlink.rateBitsPerSec, null);
    assert.equal(downlink.delayMs, 3);
    assert.equal(downlink.trace?.format, 'csv');
    assert.equal(downlink.trace?.file, join(TRACES, 'lte-like.csv'));
    assert.equal(downlink.trace?.steps.length, 4);
    assert.equal(uplink.trace?.format, 'mahimahi');
    assert.equal(uplink.trace?.binMs, 50);
    assert.equal(uplink.trace?.steps.length, 6);
    assert.equal(testbed.devices[1]!.link.downlink.trace, null);
    assert.match(renderTestbed(testbed), /downlink {2}trace .*lte-like\.csv \(csv, 4 steps over 1\.5s, looping; 5mbit–30mbit\), delay from the trace \(else 3ms\)/);
    assert.match(renderTestbed(testbed), /uplink {4}trace .*steps-24-12-6mbit\.mahimahi \(mahimahi, 6 steps over 300ms, looping; .*\), delay 0ms/);
  });

  test('testbedToJson shows a trace as file, format, sha256 and shape, not its steps', () => {
    const { testbed } = loaded(TRACED);
    const device = (testbedToJson(testbed).devices as Array<{ link: { downlink: { trace: unknown } } }>)[0]!;
    assert.deepEqual(Object.keys(device.link.downlink.trace as object), ['file', 'format', 'sha256', 'binMs', 'steps', 'durationMs']);
    assert.match((device.link.downlink.trace as { sha256: string }).sha256, /^[0-9a-f]{64}$/);
  });

  test('a device trace overrides a rate inherited from defaults, and a device rate overrides an inherited trace', () => {
    const yaml = `${HEAD}defaults:
  link:
    downlink: { rate: 20mbit }
    uplink: { trace: ../traces/constant-12mbit.mahimahi }
devices:
  - name: d0
    link: { downlink: { trace: ../traces/lte-like.csv } }
  - name: d1
    link: { uplink: { rate: 5mbit } }
  - name: d2
  - name: d3
`;
    const { testbed } = loaded(yaml);
    const [d0, d1] = testbed.devices;
    assert.deepEqual([d0!.link.downlink.rateBitsPerSec, d0!.link.downlink.trace?.format], [null, 'csv']);
    assert.deepEqual([d1!.link.downlink.rateBitsPerSec, d1!.link.downlink.trace], [20e6, null]);
    assert.deepEqual([d1!.link.uplink.rateBitsPerSec, d1!.link.uplink.trace], [5e6, null]);
    assert.equal(d0!.link.uplink.trace?.format, 'mahimahi');
  });

  test('a cell no device uses is a warning', () => {
    const { warnings } = loaded(`${HEAD}bs: { channel: { bandwidth: 20MHz } }\ndevices:\n  - name: d0\n  - name: d1\n  - name: d2\n  - name: d3\n`);
    assert.ok(warnings.includes('bad.yaml:5:16 bs.channel: bs.channel is set but no device has link.channel, so no link uses it'), warnings.join('\n'));
  });
});

const invalidCases: Array<{ name: string; yaml: string; error: string | RegExp }> = [
  {
    name: 'unknown key under bs.channel with did-you-mean',
    yaml: RADIO.replace('    bandwidth: 20MHz\n', '    bandwith: 20MHz\n'),
    error: 'bad.yaml:7:5 bs.channel.bandwith: unknown key "bandwith"; did you mean "bandwidth"?',
  },
  {
    name: 'unknown key under link.channel',
    yaml: RADIO.replace('{ distance_m: 120 }', '{ distance: 120 }'),
    error: 'bad.yaml:11:18 devices[0].link.channel.distance: unknown key "distance"; did you mean "distance_m"?',
  },
  {
    name: 'distance 0',
    yaml: RADIO.replace('distance_m: 120', 'distance_m: 0'),
    error: 'bad.yaml:11:30 devices[0].link.channel.distance_m: expected a distance to the BS in metres above 0 up to 100000, got number 0',
  },
  {
    name: 'negative distance',
    yaml: RADIO.replace('distance_m: 120', 'distance_m: -5'),
    error: 'bad.yaml:11:30 devices[0].link.channel.distance_m: expected a distance to the BS in metres above 0 up to 100000, got number -5',
  },
  {
    name: 'distance as text',
    yaml: RADIO.replace('distance_m: 120', 'distance_m: 120m'),
    error: 'bad.yaml:11:30 devices[0].link.channel.distance_m: expected a distance to the BS in metres above 0 up to 100000, got "120m"',
  },
  {
    name: 'both distance and path gain',
    yaml: RADIO.replace('{ distance_m: 120 }', '{ distance_m: 120, path_gain_db: -90 }'),
    error: 'bad.yaml:11:49 devices[0].link.channel.path_gain_db: expected exactly one of distance_m or path_gain_db, got both',
  },
  {
    name: 'neither distance nor path gain',
    yaml: RADIO.replace('{ distance_m: 120 }', '{ tx_power_dbm: 23 }'),
    error: 'bad.yaml:11:16 devices[0].link.channel: expected distance_m or path_gain_db (exactly one) to place the device, got neither',
  },
  {
    name: 'positive path gain',
    yaml: RADIO.replace('path_gain_db: -95', 'path_gain_db: 3'),
    error: 'bad.yaml:14:32 devices[1].link.channel.path_gain_db: expected a path gain in dB from -250 to 0, got number 3',
  },
  {
    name: 'bad bandwidth unit',
    yaml: RADIO.replace('bandwidth: 20MHz', 'bandwidth: 20mbit'),
    error: 'bad.yaml:7:16 bs.channel.bandwidth: expected a frequency like 20MHz, 100 MHz, 1.4GHz, 500kHz or a number of Hz, got "20mbit"',
  },
  {
    name: 'fading not in the list',
    yaml: RADIO.replace('    bandwidth: 20MHz\n', '    bandwidth: 20MHz\n    fading: rayleih\n'),
    error: 'bad.yaml:8:13 bs.channel.fading: expected "rayleigh" | "none", got "rayleih"; did you mean "rayleigh"?',
  },
  {
    name: 'coherence of zero',
    yaml: RADIO.replace('    bandwidth: 20MHz\n', '    bandwidth: 20MHz\n    coherence: 0ms\n'),
    error: 'bad.yaml:8:16 bs.channel.coherence: expected a duration above zero like 100ms, got "0ms"',
  },
  {
    name: 'shadowing out of range',
    yaml: RADIO.replace('    bandwidth: 20MHz\n', '    bandwidth: 20MHz\n    shadowing_sigma_db: -1\n'),
    error: 'bad.yaml:8:25 bs.channel.shadowing_sigma_db: expected a shadowing σ in dB from 0 to 30, got number -1',
  },
  {
    name: 'unknown bs.clock',
    yaml: RADIO.replace('bs:\n', 'bs:\n  clock: items\n'),
    error: 'bad.yaml:6:10 bs.clock: expected "item" | "wall", got "items"; did you mean "item"?',
  },
  {
    name: 'channel without bs.channel',
    yaml: RADIO.replace('bs:\n  channel:\n    bandwidth: 20MHz\n', ''),
    error: 'bad.yaml:8:16 devices[0].link.channel: link.channel needs the cell: add bs.channel (e.g. bs: {channel: {bandwidth: 20MHz}}), or give this link fixed rates instead',
  },
  {
    name: 'channel and a rate on the same device',
    yaml: RADIO.replace('      channel: { distance_m: 120 }\n', '      channel: { distance_m: 120 }\n      uplink: { rate: 20mbit }\n'),
    error: 'bad.yaml:11:16 devices[0].link.channel: device "d0" has link.channel, which gives its rates, and also a uplink rate (set at test/fixtures/testbeds/bad.yaml:12); remove one of them',
  },
  {
    name: 'channel from defaults and a rate on a device',
    yaml: `${HEAD}bs: { channel: {} }\ndefaults:\n  link: { channel: { distance_m: 100 } }\ndevices:\n  - name: d0\n    link: { downlink: { rate: 1mbit } }\n  - name: d1\n  - name: d2\n  - name: d3\n`,
    error: /^bad\.yaml:7:20 defaults\.link\.channel: device "d0" has link\.channel, which gives its rates, and also a downlink rate \(set at .*bad\.yaml:10\); remove one of them$/,
  },
  {
    name: 'channel and a trace on the same device',
    yaml: RADIO.replace('      channel: { distance_m: 120 }\n', '      channel: { distance_m: 120 }\n      downlink: { trace: ../traces/lte-like.csv }\n'),
    error: /^bad\.yaml:11:16 devices\[0\]\.link\.channel: device "d0" has link\.channel, which gives its rates, and also a downlink trace/,
  },
  {
    name: 'trace file missing',
    yaml: TRACED.replace('../traces/lte-like.csv', '../traces/nope.csv'),
    error: /^bad\.yaml:8:26 devices\[0\]\.link\.downlink\.trace: bad trace "\.\.\/traces\/nope\.csv" \(.*test\/fixtures\/traces\/nope\.csv\): cannot read trace file: not found$/,
  },
  {
    name: 'trace file empty',
    yaml: TRACED.replace('../traces/lte-like.csv', '../traces/empty.csv'),
    error: /^bad\.yaml:8:26 devices\[0\]\.link\.downlink\.trace: bad trace "\.\.\/traces\/empty\.csv" \(.*empty\.csv\): trace file is empty$/,
  },
  {
    name: 'trace malformed at line 4',
    yaml: TRACED.replace('../traces/lte-like.csv', '../traces/negative-rate.csv'),
    error: /^bad\.yaml:8:26 devices\[0\]\.link\.downlink\.trace: bad trace "\.\.\/traces\/negative-rate\.csv" \(.*test\/fixtures\/traces\/negative-rate\.csv:4\): expected rate_bps a number > 0 \(bits per second\), got "-5"$/,
  },
  {
    name: 'Mahimahi trace malformed at line 5',
    yaml: TRACED.replace('../traces/steps-24-12-6mbit.mahimahi', '../traces/decreasing.mahimahi'),
    error: /^bad\.yaml:10:16 devices\[0\]\.link\.uplink\.trace: bad trace .*decreasing\.mahimahi:5\): expected timestamps non-decreasing, got 3 after 5$/,
  },
  {
    name: 'trace and rate on the same direction',
    yaml: TRACED.replace('{ trace: ../traces/lte-like.csv, delay: 3ms }', '{ trace: ../traces/lte-like.csv, rate: 20mbit }'),
    error: 'bad.yaml:8:26 devices[0].link.downlink.trace: expected rate or trace, not both (a trace gives the rate over time)',
  },
  {
    name: 'bin on a CSV trace',
    yaml: TRACED.replace('{ trace: ../traces/lte-like.csv, delay: 3ms }', '{ trace: { file: ../traces/lte-like.csv, bin: 10ms } }'),
    error: /^bad\.yaml:8:26 devices\[0\]\.link\.downlink\.trace: bad trace .*lte-like\.csv\): bin applies to Mahimahi traces only/,
  },
  {
    name: 'trace with an unknown format',
    yaml: TRACED.replace('bin: 50ms', 'format: pcap'),
    error: /^bad\.yaml:10:\d+ devices\[0\]\.link\.uplink\.trace(\.format)?: expected .*"csv" \| "mahimahi"/,
  },
  {
    name: 'trace of the wrong type states the accepted forms',
    yaml: TRACED.replace('{ trace: ../traces/lte-like.csv, delay: 3ms }', '{ trace: 5 }'),
    error: 'bad.yaml:8:26 devices[0].link.downlink.trace: expected a trace file path like traces/lte.csv, or { file, format: csv | mahimahi, bin: 100ms }, got number 5',
  },
];

describe('invalid wireless and trace settings are reported with file:line:col field', () => {
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

describe('a changed trace file changes the testbed JSON (and so the run fingerprint)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'wdmoe-testbed-trace-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  test('same bytes, same JSON; one changed rate, a different sha256', () => {
    cpSync(join(FIXTURES, 'tiny-2x4'), join(scratch, 'tiny-2x4'), { recursive: true });
    const trace = join(scratch, 'link.csv');
    const yaml = `${HEAD}devices:\n  - name: d0\n    link: { downlink: { trace: link.csv } }\n  - name: d1\n  - name: d2\n  - name: d3\n`;
    const jsonOf = () => {
      const result = loadTestbedText(join(scratch, 'testbed.yaml'), yaml);
      assert.ok('testbed' in result, 'errors' in result ? shown(result.errors).join('\n') : '');
      const { sources: _sources, ...rest } = testbedToJson(result.testbed);
      return JSON.stringify(rest);
    };
    writeFileSync(trace, '0,1000000\n100,2000000\n');
    const first = jsonOf();
    assert.equal(jsonOf(), first);
    writeFileSync(trace, '0,1000000\n100,2500000\n');
    assert.notEqual(jsonOf(), first);
  });
});

describe('the example testbeds', () => {
  const ROOT = fileURLToPath(new URL('../../', import.meta.url));
  test('loopback-wireless.yaml: 8 radio devices from 60 m to 450 m in a 20 MHz Rayleigh cell', async () => {
    const result = await validateTestbed(join(ROOT, 'testbeds/loopback-wireless.yaml'));
    assert.ok(result.ok, !result.ok ? shown(result.errors).join('\n') : '');
    assert.deepEqual(result.warnings, []);
    assert.equal(result.testbed.bs.cell?.downlinkBandwidthHz, 20e6);
    assert.equal(result.testbed.bs.cell?.fading, 'rayleigh');
    assert.deepEqual(result.testbed.devices.map((device) => device.link.radio?.distanceM), [60, 110, 160, 220, 280, 340, 400, 450]);
  });
  test('loopback-trace.yaml: 8 devices replaying the shipped CSV and Mahimahi traces', async () => {
    const result = await validateTestbed(join(ROOT, 'testbeds/loopback-trace.yaml'));
    assert.ok(result.ok, !result.ok ? shown(result.errors).join('\n') : '');
    assert.deepEqual(result.warnings, []);
    assert.equal(result.testbed.devices.length, 8);
    assert.ok(result.testbed.devices.every((device) => device.link.downlink.trace?.format === 'csv' && device.link.uplink.trace?.format === 'mahimahi'));
  });
});
