// --sweep: parsing name=lo..hi[:points] (geometric devices and bandwidth, linear θ), bad specs refused, and a
// small devices sweep whose rows fall as devices are added (replicas) with wdmoe below topk at every point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { encodeSweepCsv, parseSweep, runSweep } from '../../src/sim/sweep.js';
import type { SyntheticOptions } from '../../src/sim/synthetic.js';

const ROOT = path.join(import.meta.dirname, '../..');

test('devices=4..64 doubles, bandwidth=5..100MHz is geometric in Hz, theta=0..0.9:4 is linear', () => {
  assert.deepEqual(parseSweep('devices=4..64').values, [4, 8, 16, 32, 64]);
  const bandwidth = parseSweep('bandwidth=5..100MHz:3').values;
  assert.equal(bandwidth[0], 5e6);
  assert.equal(bandwidth[2], 1e8);
  assert.ok(Math.abs(bandwidth[1]! - Math.sqrt(5e6 * 1e8)) < 100);
  assert.deepEqual(parseSweep('theta=0..0.9:4').values.map((v) => Math.round(v * 100) / 100), [0, 0.3, 0.6, 0.9]);
});

for (const [spec, message] of [['range=1..2', /unknown parameter "range"/], ['distance=0..100', /not a distance in metres/], ['devices=4', /expected name=lo\.\.hi/], ['devices=0..8', /not a positive integer/],
  ['theta=0..1.5', /not a θ in 0–1/], ['bandwidth=5..100', /not a bandwidth like 5MHz/], ['devices=8..4', /lo < hi/]] as const) {
  test(`--sweep ${spec} is refused`, () => {
    assert.throws(() => parseSweep(spec), (error: Error & { exitCode?: number }) => message.test(error.message) && error.exitCode === 2);
  });
}

const options: SyntheticOptions = {
  testbedPath: path.join(ROOT, 'testbeds/loopback-wireless.yaml'), devices: null, tokens: 32, batches: 6, policies: ['topk', 'wdmoe'],
  modelShape: 'mixtral-8x7b', alpha: 1, bsComputeMs: 0, seed: 0, profile: 'jetson-agx-orin', bandwidthHz: null, distanceM: null, cwd: ROOT,
};

test('a devices sweep for Mixtral on Jetson AGX Orin profiles: latency falls from 8 to 32 devices, wdmoe below topk at every point', async () => {
  const rows = await runSweep(options, parseSweep('devices=8..32:3'));
  assert.deepEqual(rows.map((row) => `${row.value}/${row.policy}`), ['8/topk', '8/wdmoe', '16/topk', '16/wdmoe', '32/topk', '32/wdmoe']);
  const mean = (value: number, policy: string) => rows.find((row) => row.value === value && row.policy === policy)!.mean_ms;
  for (const value of [8, 16, 32]) assert.ok(mean(value, 'wdmoe') < mean(value, 'topk'), `${value} devices`);
  assert.ok(mean(32, 'topk') < mean(8, 'topk') && mean(32, 'wdmoe') < mean(8, 'wdmoe'));
  const csv = encodeSweepCsv(rows).split('\n');
  assert.equal(csv[0], 'parameter,value,policy,mean_ms,p50_ms,p90_ms,p99_ms,dropped_share,devices_per_layer');
  assert.equal(csv.length, 7);
});

test('a theta sweep sets θ on wdmoe (its label carries it) and leaves topk alone; θ = 0 drops nothing', async () => {
  const rows = await runSweep({ ...options, devices: 8, batches: 2 }, parseSweep('theta=0..0.6:2'));
  assert.deepEqual(rows.map((row) => row.policy), ['topk', 'wdmoe:theta=0', 'topk', 'wdmoe:theta=0.6']);
  assert.equal(rows[1]!.dropped_share, 0);
  assert.ok(rows[3]!.dropped_share > 0);
  await assert.rejects(runSweep({ ...options, policies: ['topk'] }, parseSweep('theta=0..0.6')), /none of the policies \(topk\) has a theta parameter/);
});

test('a distance sweep puts every device at each distance: latency grows from 50 to 450 m for both policies', async () => {
  const rows = await runSweep({ ...options, devices: 8, batches: 4 }, parseSweep('distance=50..450:3'));
  assert.deepEqual(rows.map((row) => row.value), [50, 50, 250, 250, 450, 450]);
  for (const policy of ['topk', 'wdmoe']) {
    const means = rows.filter((row) => row.policy === policy).map((row) => row.mean_ms);
    assert.ok(means[0]! < means[1]! && means[1]! < means[2]!, `${policy}: ${means.join(' < ')}`);
  }
  await assert.rejects(runSweep({ ...options, testbedPath: path.join(ROOT, 'testbeds/loopback.yaml'), modelShape: null, profile: null }, parseSweep('distance=50..450')), /has no radio channel/);
});
