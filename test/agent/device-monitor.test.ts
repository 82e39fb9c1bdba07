// The device monitor on fixture sysfs trees built in a temp dir: a Jetson (board, L4T, thermal zones and
// passive trips, cpufreq/devfreq clocks, nvpmodel and jetson_clocks from recorded outputs) and a bare host.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { tree } from '../helpers/file-tree.js';
import { startDeviceMonitor } from '../../src/agent/device-monitor.js';


describe('device monitor on a fixture sysfs tree', () => {
  test('a Jetson tree: board, L4T, temperatures, passive trip, clocks, power mode and jetson_clocks from the tools', async () => {
    const zone = 'sys/devices/virtual/thermal/thermal_zone';
    const root = tree({
      'proc/device-tree/model': 'NVIDIA Jetson Orin Nano Developer Kit\0',
      'etc/nv_tegra_release': readFileSync(new URL('../fixtures/jetson/nv_tegra_release-r35.txt', import.meta.url), 'utf8'),
      'etc/os-release': 'NAME="Ubuntu"\nPRETTY_NAME="Ubuntu 20.04.6 LTS"\n',
      [`${zone}0/type`]: 'cpu-thermal', [`${zone}0/temp`]: '47781', [`${zone}0/trip_point_0_type`]: 'passive', [`${zone}0/trip_point_0_temp`]: '99000',
      [`${zone}1/type`]: 'gpu-thermal', [`${zone}1/temp`]: '101500', [`${zone}1/trip_point_0_type`]: 'passive', [`${zone}1/trip_point_0_temp`]: '99000',
      [`${zone}2/type`]: 'cv0-thermal', [`${zone}2/temp`]: '-256000',
      'sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq': '1510400', 'sys/devices/system/cpu/cpu0/cpufreq/scaling_max_freq': '1510400',
      'sys/devices/system/cpu/cpu1/cpufreq/scaling_cur_freq': '729600', 'sys/devices/system/cpu/cpu1/cpufreq/scaling_max_freq': '1510400',
      'sys/class/devfreq/17000000.ga10b/cur_freq': '624750000', 'sys/class/devfreq/17000000.ga10b/max_freq': '624750000',
    });
    const outputs: Record<string, string> = {
      nvpmodel: readFileSync(new URL('../fixtures/jetson/nvpmodel-q-agx-orin.txt', import.meta.url), 'utf8'),
      jetson_clocks: readFileSync(new URL('../fixtures/jetson/jetson-clocks-show-orin-nano.txt', import.meta.url), 'utf8'),
    };
    const monitor = await startDeviceMonitor({
      runtime: 'node', runtimeVersion: '20.0.0', engine: 'onnxruntime-node', engineVersion: '1.30.0', executionProvider: 'cpu',
      root, glibc: '2.31', commands: async (file) => outputs[file],
    });
    const info = monitor.runtimeInfo();
    monitor.close();
    assert.deepEqual(info.jetson, { model: 'NVIDIA Jetson Orin Nano Developer Kit', l4t: 'R35.4.1' });
    assert.equal(info.distro, 'Ubuntu 20.04.6 LTS');
    assert.equal(info.glibc, '2.31');
    const t = info.telemetry;
    assert.deepEqual(t.temperaturesC, { 'cpu-thermal': 47.781, 'gpu-thermal': 101.5 });
    assert.equal(t.isThrottled, true, 'gpu-thermal is above its passive trip');
    assert.equal(t.powerMode, 'MAXN');
    assert.deepEqual(t.clocks, { cpuCurKHz: 1510400, cpuMaxKHz: 1510400, gpuCurHz: 624750000, gpuMaxHz: 624750000, emcCurHz: 2133000000, isJetsonClocksOn: false });
    assert.equal(t.energy, null);
  });
  test('a bare tree: everything null, no tools run', async () => {
    let ran = 0;
    const monitor = await startDeviceMonitor({
      runtime: 'node', runtimeVersion: '20.0.0', engine: 'x', engineVersion: null, executionProvider: 'cpu',
      root: tree({}), commands: async () => (ran++, undefined),
    });
    const t = monitor.telemetry();
    monitor.close();
    assert.equal(ran, 0);
    assert.deepEqual([t.temperaturesC, t.powerMode, t.clocks, t.isThrottled, t.energy], [null, null, null, null, null]);
  });
});
