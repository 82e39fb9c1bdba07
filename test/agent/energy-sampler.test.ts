// Energy integration and rail discovery: the trapezoidal integrator, INA3221 sysfs trees of JetPack 4
// (iio) and JetPack 5+ (hwmon) built in a temp dir, a tegrastats child fed recorded lines, and the
// "no power rails" case of this machine.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { tree } from '../helpers/file-tree.js';
import { EnergyIntegrator, discoverSysfsRails, startEnergySampler } from '../../src/agent/energy-sampler.js';


describe('EnergyIntegrator', () => {
  test('integrates mW over ms into µJ by the trapezoidal rule, per rail', () => {
    const integrator = new EnergyIntegrator('ina3221');
    integrator.add(0, { VDD_IN: 1000, VDD_SOC: 500 });
    integrator.add(100, { VDD_IN: 3000, VDD_SOC: 500 });
    integrator.add(300, { VDD_IN: 3000, VDD_SOC: 500 });
    const counters = integrator.counters()!;
    assert.equal(counters.rails.VDD_IN!.microjoules, 2000 * 100 + 3000 * 200); // 0.8 J
    assert.equal(counters.rails.VDD_SOC!.microjoules, 500 * 300);
    assert.equal(counters.rails.VDD_IN!.milliwatts, 3000);
    assert.equal(counters.totalRail, 'VDD_IN');
    assert.equal(counters.sampleCount, 3);
  });
  test('no samples → null; a sample at the same time adds nothing', () => {
    const integrator = new EnergyIntegrator('tegrastats');
    assert.equal(integrator.counters(), null);
    integrator.add(5, { POM_5V_IN: 2000 });
    integrator.add(5, { POM_5V_IN: 9000 });
    assert.equal(integrator.counters()!.rails.POM_5V_IN!.microjoules, 0);
  });
});

describe('rail discovery and sampling', () => {
  test('JetPack 4 iio nodes (ina3221x rail_name_N / in_powerN_input mW)', () => {
    const dir = 'sys/bus/i2c/drivers/ina3221x/6-0040/iio:device0';
    const root = tree({
      [`${dir}/rail_name_0`]: 'POM_5V_IN\n', [`${dir}/in_power0_input`]: '2003\n',
      [`${dir}/rail_name_1`]: 'POM_5V_GPU\n', [`${dir}/in_power1_input`]: '0\n',
      [`${dir}/rail_name_2`]: 'POM_5V_CPU\n', [`${dir}/in_power2_input`]: '320\n',
    });
    const rails = discoverSysfsRails(root);
    assert.deepEqual(rails.map((r) => [r.name, r.readMilliwatts()]), [['POM_5V_IN', 2003], ['POM_5V_GPU', 0], ['POM_5V_CPU', 320]]);
  });
  test('JetPack 5 hwmon nodes (inN_label, mV × mA), unconnected channels skipped', () => {
    const dir = 'sys/bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3';
    const root = tree({
      [`${dir}/in1_label`]: 'VDD_IN\n', [`${dir}/in1_input`]: '5056\n', [`${dir}/curr1_input`]: '960\n',
      [`${dir}/in2_label`]: 'VDD_CPU_GPU_CV\n', [`${dir}/in2_input`]: '5048\n', [`${dir}/curr2_input`]: '100\n',
      [`${dir}/in3_label`]: 'NC\n', [`${dir}/in3_input`]: '0\n', [`${dir}/curr3_input`]: '0\n',
    });
    const rails = discoverSysfsRails(root);
    assert.deepEqual(rails.map((r) => [r.name, r.readMilliwatts()]), [['VDD_IN', 5056 * 0.96], ['VDD_CPU_GPU_CV', 504.8]]);
  });
  test('a sampler over sysfs accumulates energy up to the moment it is read', () => {
    const dir = 'sys/bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon0';
    const root = tree({ [`${dir}/in1_label`]: 'VDD_IN', [`${dir}/in1_input`]: '5000', [`${dir}/curr1_input`]: '1000' });
    let clock = 1000;
    const sampler = startEnergySampler({ root, isJetson: true, now: () => clock, intervalMs: 60_000 });
    clock += 250;
    const counters = sampler.counters()!;
    sampler.close();
    assert.equal(counters.source, 'ina3221');
    assert.equal(counters.rails.VDD_IN!.microjoules, 5000 * 250); // 5 W for 0.25 s = 1.25 J
  });
  test('no rails and not a Jetson (this machine) → no counters', () => {
    const sampler = startEnergySampler({ root: tree({ 'etc/hostname': 'pc' }), isJetson: false });
    assert.equal(sampler.source, null);
    assert.equal(sampler.counters(), null);
    sampler.close();
  });
  test('a Jetson without sysfs rails integrates the lines of a tegrastats child', async () => {
    const recorded = readFileSync(new URL('../fixtures/jetson/tegrastats-orin-nano-jp6.txt', import.meta.url), 'utf8');
    const script = `process.stdout.write(${JSON.stringify(recorded)}); setTimeout(() => {}, 5000);`;
    let clock = 0;
    const sampler = startEnergySampler({
      root: tree({}), isJetson: true, now: () => (clock += 100),
      spawnTegrastats: () => spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] }),
    });
    for (let i = 0; i < 100 && (sampler.counters()?.sampleCount ?? 0) < 2; i++) await new Promise((r) => setTimeout(r, 20));
    const counters = sampler.counters()!;
    sampler.close();
    assert.equal(counters.source, 'tegrastats');
    assert.equal(counters.totalRail, 'VDD_IN');
    assert.equal(counters.rails.VDD_IN!.microjoules, ((4839 + 8121) / 2) * 100);
  });
});
