import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { meanSnr, snrAt } from '../../src/channel/channel-model.js';
import { createLinkStates } from '../../src/channel/link-states.js';
import { rateAtShare } from '../../src/channel/rate.js';
import type { CellParams, LinkDirectionSpec, LinkStatesInput, RateTrace } from '../../src/channel/types.js';
import { loadTestbedText } from '../../src/testbed/index.js';

const CELL: CellParams = {
  downlinkBandwidthHz: 20e6, uplinkBandwidthHz: 20e6, bsTxPowerDbm: 43, noisePsdDbmPerHz: -174, noiseFigureDb: 9,
  pathLoss: { interceptDb: 128.1, slopeDb: 37.6 }, shadowingSigmaDb: 0, fading: 'rayleigh', coherenceMs: 100,
};
const direction = (rateBitsPerSec: number | null, extra: Partial<LinkDirectionSpec> = {}): LinkDirectionSpec =>
  ({ rateBitsPerSec, delayMs: 2, jitterMs: 1, lossRate: 0.01, trace: null, ...extra });
const TRACE: RateTrace = {
  file: '/t.csv', format: 'csv', durationMs: 1000,
  steps: [{ startMs: 0, rateBitsPerSec: 5e6, delayMs: 30 }, { startMs: 500, rateBitsPerSec: 9e6, delayMs: null }],
};
const RADIO = { distanceM: 300, pathGainDb: null, txPowerDbm: 23 };

const INPUT: LinkStatesInput = {
  bs: { bandwidthBitsPerSec: 100e6, cell: CELL },
  devices: [
    { link: { downlink: direction(20e6), uplink: direction(null), radio: null } },
    { link: { downlink: direction(null, { trace: TRACE }), uplink: direction(10e6), radio: null } },
    { link: { downlink: direction(null, { delayMs: 4 }), uplink: direction(null), radio: RADIO } },
  ],
};

test('fixed, trace-driven and radio devices each get their kind of state, in testbed order', () => {
  const states = createLinkStates(INPUT, { seed: 1 });
  assert.equal(states.deviceCount, 3);
  const [fixed, traced, radio] = states.at(0);
  assert.deepEqual(fixed!.downlink, { model: 'fixed', rateBitsPerSec: 20e6, poolBitsPerSec: 100e6, delayMs: 2, jitterMs: 1, lossRate: 0.01 });
  assert.deepEqual(fixed!.uplink, { model: 'fixed', rateBitsPerSec: null, poolBitsPerSec: 100e6, delayMs: 2, jitterMs: 1, lossRate: 0.01 });
  assert.deepEqual(traced!.downlink, { model: 'fixed', rateBitsPerSec: 5e6, poolBitsPerSec: 100e6, delayMs: 30, jitterMs: 1, lossRate: 0.01 });
  assert.equal(traced!.uplink.model === 'fixed' && traced!.uplink.rateBitsPerSec, 10e6);
  assert.deepEqual(radio!.downlink, { model: 'shannon', bandwidthHz: 20e6, snr: snrAt(CELL, RADIO, 2, 'downlink', 0, 1), delayMs: 4, jitterMs: 1, lossRate: 0.01 });
  assert.equal(radio!.uplink.model === 'shannon' && radio!.uplink.snr, snrAt(CELL, RADIO, 2, 'uplink', 0, 1));
});

test('a trace step without a delay keeps the direction\'s delay; the trace loops', () => {
  const states = createLinkStates(INPUT, { seed: 1 });
  const at = (t: number) => states.at(t)[1]!.downlink;
  assert.deepEqual([0, 499, 500, 1200, 1700].map((t) => { const s = at(t); return s.model === 'fixed' ? [s.rateBitsPerSec, s.delayMs] : null; }),
    [[5e6, 30], [5e6, 30], [9e6, 2], [5e6, 30], [9e6, 2]]);
});

test('radio states change per coherence block and repeat exactly for the same seed', () => {
  const first = createLinkStates(INPUT, { seed: 5 });
  const again = createLinkStates(INPUT, { seed: 5 });
  const other = createLinkStates(INPUT, { seed: 6 });
  const snr = (states: ReturnType<typeof createLinkStates>, t: number) => { const s = states.at(t)[2]!.downlink; return s.model === 'shannon' ? s.snr : NaN; };
  assert.equal(snr(first, 0), snr(first, 99));
  assert.notEqual(snr(first, 0), snr(first, 100));
  // Asked in another order, the same values.
  const times = [0, 100, 200, 300, 5000];
  const forward = times.map((t) => snr(first, t));
  const backward = [...times].reverse().map((t) => snr(again, t)).reverse();
  assert.deepEqual(forward, backward);
  assert.ok(times.every((t, index) => snr(other, t) !== forward[index]));
  // Fading averages out to the mean SNR.
  let sum = 0;
  for (let block = 0; block < 20_000; block += 1) sum += snr(first, block * 100);
  const mean = meanSnr(CELL, RADIO, 2, 'downlink', 5);
  assert.ok(Math.abs(sum / 20_000 / mean - 1) < 0.03, `mean ratio ${sum / 20_000 / mean}`);
});

test('the states plug into rateAtShare: pool-capped fixed links and Shannon radio links', () => {
  const [fixed, , radio] = createLinkStates(INPUT, { seed: 1 }).at(0);
  assert.equal(rateAtShare(fixed!.downlink, 0.1), 10e6);
  assert.equal(rateAtShare(fixed!.downlink, 0.5), 20e6);
  const whole = rateAtShare(radio!.downlink, 1)!;
  assert.ok(whole > 0 && rateAtShare(radio!.downlink, 0.5)! < whole);
});

test('without fading a radio state is the same object at every moment (cheap per layer)', () => {
  const input: LinkStatesInput = { ...INPUT, bs: { ...INPUT.bs, cell: { ...CELL, fading: 'none' } } };
  const states = createLinkStates(input, { seed: 1 });
  assert.equal(states.at(0)[2]!.downlink, states.at(12_345)[2]!.downlink);
  assert.equal(states.at(0)[0]!.downlink, states.at(99)[0]!.downlink);
});

test('a radio device without a cell is refused', () => {
  const input: LinkStatesInput = { ...INPUT, bs: { bandwidthBitsPerSec: null, cell: null } };
  assert.throws(() => createLinkStates(input, { seed: 1 }), /has a radio but the testbed has no cell/);
});

test('a resolved testbed plugs straight in: radio, trace-driven and fixed devices (loadTestbedText)', () => {
  const fixtures = fileURLToPath(new URL('../fixtures/testbeds/', import.meta.url));
  const yaml = `mode: loopback
model: tiny-2x4
auth: { token: a-test-token-of-24-chars }
bs:
  bandwidth: 100mbit
  channel: { bandwidth: 20MHz, fading: rayleigh, coherence: 50ms }
devices:
  - name: near
    link: { channel: { distance_m: 60 }, downlink: { delay: 2ms } }
  - name: far
    link: { channel: { distance_m: 450 } }
  - name: traced
    link: { downlink: { trace: ../traces/lte-like.csv }, uplink: { trace: ../traces/steps-24-12-6mbit.mahimahi } }
  - name: wired
    link: { downlink: { rate: 50mbit }, uplink: { rate: 10mbit, loss: 1% } }
`;
  const result = loadTestbedText(join(fixtures, 'link-states.yaml'), yaml);
  assert.ok('testbed' in result, 'errors' in result ? JSON.stringify(result.errors) : '');
  const states = createLinkStates(result.testbed, { seed: 0 });
  const [near, far, traced, wired] = states.at(1250);
  const cell = result.testbed.bs.cell!;
  assert.deepEqual(near!.downlink, { model: 'shannon', bandwidthHz: 20e6, snr: snrAt(cell, { distanceM: 60, pathGainDb: null, txPowerDbm: 23 }, 0, 'downlink', 1250, 0), delayMs: 2, jitterMs: 0, lossRate: 0 });
  // Mean SNRs by hand: 43 dBm − PL(d) + 91.99 dB of noise over 20 MHz, PL(60 m) = 82.16 dB, PL(450 m) = 115.06 dB.
  const noiseDbm = -174 + 9 + 10 * Math.log10(20e6);
  for (const [index, distanceM] of [[0, 60], [1, 450]] as const) {
    const expectedDb = 43 - (128.1 + 37.6 * Math.log10(distanceM / 1000)) - noiseDbm;
    assert.ok(Math.abs(10 * Math.log10(meanSnr(cell, result.testbed.devices[index]!.link.radio!, index, 'downlink', 0)) - expectedDb) < 1e-9);
  }
  assert.ok(far!.uplink.model === 'shannon' && near!.uplink.model === 'shannon');
  // lte-like.csv at 1250 ms: the 1000 ms step (30 Mbit/s, 8 ms); the Mahimahi uplink at 1250 mod 300 = 50 ms: 23.88 Mbit/s.
  assert.deepEqual(traced!.downlink, { model: 'fixed', rateBitsPerSec: 30e6, poolBitsPerSec: 100e6, delayMs: 8, jitterMs: 0, lossRate: 0 });
  assert.deepEqual(traced!.uplink, { model: 'fixed', rateBitsPerSec: 23_880_000, poolBitsPerSec: 100e6, delayMs: 0, jitterMs: 0, lossRate: 0 });
  assert.deepEqual(wired!.uplink, { model: 'fixed', rateBitsPerSec: 10e6, poolBitsPerSec: 100e6, delayMs: 0, jitterMs: 0, lossRate: 0.01 });
  assert.deepEqual(createLinkStates(result.testbed, { seed: 0 }).at(1250), states.at(1250));
});

test('a trace outage becomes extra delay until the trace delivers again, never a rate of 0', async () => {
  const { createLinkStates } = await import('../../src/channel/index.js');
  const trace = { file: 'g.mahimahi', format: 'mahimahi' as const, durationMs: 300,
    steps: [{ startMs: 0, rateBitsPerSec: 0, delayMs: null }, { startMs: 100, rateBitsPerSec: 6e6, delayMs: null }, { startMs: 200, rateBitsPerSec: 3e6, delayMs: null }] };
  const direction = { rateBitsPerSec: null, delayMs: 5, jitterMs: 0, lossRate: 0, trace };
  const states = createLinkStates({ bs: { bandwidthBitsPerSec: null, cell: null }, devices: [{ link: { downlink: direction, uplink: { ...direction, trace: null, rateBitsPerSec: 1e6 }, radio: null } }] }, { seed: 0 });
  const at40 = states.at(40)[0]!.downlink;
  assert.equal(at40.model, 'fixed');
  assert.deepEqual([at40.model === 'fixed' ? at40.rateBitsPerSec : -1, at40.delayMs], [6e6, 5 + 60]);
  const at250 = states.at(250)[0]!.downlink;
  assert.deepEqual([at250.model === 'fixed' ? at250.rateBitsPerSec : -1, at250.delayMs], [3e6, 5]);
});

test('link states say whether they change over time: fixed links do not, a trace does', async () => {
  const { createLinkStates } = await import('../../src/channel/index.js');
  const fixed = { rateBitsPerSec: 1e6, delayMs: 1, jitterMs: 0, lossRate: 0, trace: null };
  const trace = { file: 't.csv', format: 'csv' as const, durationMs: 200, steps: [{ startMs: 0, rateBitsPerSec: 1e6, delayMs: null }, { startMs: 100, rateBitsPerSec: 2e6, delayMs: null }] };
  const input = (downlink: typeof fixed | (Omit<typeof fixed, 'trace'> & { trace: typeof trace })) => ({ bs: { bandwidthBitsPerSec: null, cell: null }, devices: [{ link: { downlink, uplink: fixed, radio: null } }] });
  assert.equal(createLinkStates(input(fixed), { seed: 0 }).isTimeVarying, false);
  assert.equal(createLinkStates(input({ ...fixed, rateBitsPerSec: null as never, trace }), { seed: 0 }).isTimeVarying, true);
});
