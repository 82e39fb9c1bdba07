// The Jetson tool parsers on recorded outputs of real boards (test/fixtures/jetson/): tegrastats
// lines of five boards (JetPack 4 bare numbers, JetPack 5/6 mW suffixes, POM_ rails), jetson_clocks
// --show, nvpmodel -q and /etc/nv_tegra_release.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  parseJetsonClocksShow, parseL4tRelease, parseNvpmodelQuery, parseTegrastatsLine, pickTotalRail,
} from '../../src/agent/jetson-parse.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/jetson/${name}`, import.meta.url), 'utf8');
const lines = (name: string) => fixture(name).split('\n').filter((l) => l.trim() !== '');

describe('tegrastats lines of several boards', () => {
  const boards = [
    { file: 'tegrastats-agx-orin-jp5.txt', rails: { VDD_GPU_SOC: 2396, VDD_CPU_CV: 399, VIN_SYS_5V0: 2812, VDDQ_VDD2_1V8AO: 301 }, total: null,
      temperature: ['CPU', 45.593], absent: 'GPU' },
    { file: 'tegrastats-orin-nano-jp6.txt', rails: { VDD_IN: 4839, VDD_CPU_GPU_CV: 502, VDD_SOC: 1396 }, total: 'VDD_IN', temperature: ['tj', 47.781] },
    { file: 'tegrastats-xavier-nx-jp4.txt', rails: { VDD_IN: 3915, VDD_CPU_GPU_CV: 474, VDD_SOC: 1185 }, total: 'VDD_IN', temperature: ['thermal', 31.5] },
    { file: 'tegrastats-nano-jp4.txt', rails: { POM_5V_IN: 2003, POM_5V_GPU: 0, POM_5V_CPU: 320 }, total: 'POM_5V_IN', temperature: ['thermal', 31.25] },
    { file: 'tegrastats-tx2-jp4.txt', rails: { VDD_SYS_GPU: 152, VDD_SYS_SOC: 381, VDD_4V0_WIFI: 19, VDD_IN: 1755, VDD_SYS_CPU: 152, VDD_SYS_DDR: 230 },
      total: 'VDD_IN', temperature: ['Tdiode', 32.25] },
  ] as const;
  for (const board of boards) {
    test(`${board.file}: rails (current mW, not the average), temperatures, total rail`, () => {
      const sample = parseTegrastatsLine(lines(board.file)[0]!);
      assert.ok(sample !== null);
      assert.deepEqual(sample.railsMilliwatts, board.rails, 'RAM/SWAP/IRAM totals are not rails');
      assert.equal(sample.temperaturesC[board.temperature[0]], board.temperature[1]);
      if ('absent' in board) assert.equal(sample.temperaturesC[board.absent], undefined, 'a sensor at -256C is off');
      assert.equal(pickTotalRail(Object.keys(sample.railsMilliwatts)), board.total);
    });
  }
  test('the second line of a board reads its own current values', () => {
    assert.equal(parseTegrastatsLine(lines('tegrastats-orin-nano-jp6.txt')[1]!)!.railsMilliwatts.VDD_IN, 8121);
    assert.equal(parseTegrastatsLine(lines('tegrastats-nano-jp4.txt')[1]!)!.railsMilliwatts.POM_5V_GPU, 1512);
  });
  test('a line with neither rails nor temperatures is null', () => {
    assert.equal(parseTegrastatsLine('RAM 1409/3964MB (lfb 28x4MB) SWAP 0/1982MB (cached 0MB) CPU [22%@518,off]'), null);
    assert.equal(parseTegrastatsLine(''), null);
  });
});

describe('jetson_clocks --show', () => {
  test('Orin Nano under schedutil: clocks read, jetson_clocks off, power mode from the last line', () => {
    const shown = parseJetsonClocksShow(fixture('jetson-clocks-show-orin-nano.txt'));
    assert.equal(shown.cpus.length, 6);
    assert.deepEqual(shown.cpus[1], { name: 'cpu1', isOnline: true, minKHz: 729600, maxKHz: 1510400, curKHz: 1036800 });
    assert.deepEqual(shown.gpu, { minHz: 306000000, maxHz: 624750000, curHz: 306000000 });
    assert.equal(shown.emc?.curHz, 2133000000);
    assert.equal(shown.isJetsonClocksOn, false);
    assert.equal(shown.powerMode, '15W');
  });
  test('TX1 with jetson_clocks on (every core and the GPU pinned at max)', () => {
    const shown = parseJetsonClocksShow(fixture('jetson-clocks-show-tx1-on.txt'));
    assert.equal(shown.cpus.length, 4);
    assert.equal(shown.isJetsonClocksOn, true);
    assert.equal(shown.powerMode, null);
  });
  test('output without CPU lines says nothing about jetson_clocks', () => {
    assert.equal(parseJetsonClocksShow('jetson_clocks: must be run as root').isJetsonClocksOn, null);
  });
});

describe('nvpmodel -q and nv_tegra_release', () => {
  test('mode names and ids', () => {
    assert.deepEqual(parseNvpmodelQuery(fixture('nvpmodel-q-agx-orin.txt')), { name: 'MAXN', id: 0 });
    assert.deepEqual(parseNvpmodelQuery(fixture('nvpmodel-q-xavier-nx.txt')), { name: 'MODE_10W', id: 1 });
    assert.equal(parseNvpmodelQuery('nvpmodel: command not found'), null);
  });
  test('L4T releases', () => {
    assert.equal(parseL4tRelease(fixture('nv_tegra_release-r35.txt')), 'R35.4.1');
    assert.equal(parseL4tRelease(fixture('nv_tegra_release-r32.txt')), 'R32.7.4');
    assert.equal(parseL4tRelease('garbage'), null);
  });
});
