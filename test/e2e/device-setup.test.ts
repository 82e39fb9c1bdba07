// bench through real agents that read a recorded Jetson sysfs tree (--sysfs-root via WDMOE_SYSFS_ROOT):
// devices.jsonl records each device's runtime info and telemetry at start and end, energy.jsonl the
// joules of every item, run.json the BS environment, and report shows Setup (with the CPU-fallback flag)
// and J/token. A device asked for cuda that runs on cpu stops the run unless allow_cpu_fallback is set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hasStackTrace, killAgents, readJsonl, runWdmoe, tempDir, waitForNoAgents, writeTestbed } from './helpers.js';

// A Jetson Orin Nano as sysfs shows it: board files, one thermal zone, a JetPack 5 INA3221 hwmon rail at 5 W.
function writeJetsonTree(root: string): void {
  const files: Record<string, string> = {
    'proc/device-tree/model': 'NVIDIA Jetson Orin Nano Developer Kit\0',
    'etc/nv_tegra_release': '# R35 (release), REVISION: 4.1, GCID: 33958178, BOARD: t186ref, EABI: aarch64, DATE: Tue Aug  1 19:57:35 UTC 2023\n',
    'sys/devices/virtual/thermal/thermal_zone0/type': 'cpu-thermal\n',
    'sys/devices/virtual/thermal/thermal_zone0/temp': '47781\n',
    'sys/bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3/in1_label': 'VDD_IN\n',
    'sys/bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3/in1_input': '5000\n',
    'sys/bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3/curr1_input': '1000\n',
  };
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
}

// The testbed with extra keys under defaults.
function withDefaults(file: string, lines: string[]): void {
  writeFileSync(file, readFileSync(file, 'utf8').replace('defaults:\n', `defaults:\n${lines.map((line) => `  ${line}\n`).join('')}`));
}

test('bench records device setup and per-item energy from the agents, and report shows Setup and J/token', async () => {
  const temp = tempDir();
  try {
    const root = path.join(temp.dir, 'sysfs');
    writeJetsonTree(root);
    const testbed = await writeTestbed(temp.dir, { devices: 2 });
    withDefaults(testbed.file, ['execution_provider: cuda', 'allow_cpu_fallback: true']);
    const out = path.join(temp.dir, 'run');
    const env = { NO_COLOR: '1', WDMOE_SYSFS_ROOT: root };
    const bench = await runWdmoe(['bench', testbed.file, '--dataset', 'add', '--limit', '2', '--policy', 'topk', '--out', out], { env });
    assert.equal(bench.exitCode, 0, `bench failed:\n${bench.stderr}`);
    assert.match(String(bench.stderr), /runs its experts on cpu although the testbed asks for cuda/);

    const setup = readJsonl<Record<string, any>>(path.join(out, 'devices.jsonl'));
    assert.deepEqual(setup.map((line) => line.phase).sort(), ['end', 'end', 'start', 'start']);
    const start = setup.find((line) => line.phase === 'start')!;
    assert.equal(start.runtime.runtime, 'node');
    assert.equal(start.runtime.executionProvider, 'cpu');
    assert.deepEqual(start.runtime.jetson, { model: 'NVIDIA Jetson Orin Nano Developer Kit', l4t: 'R35.4.1' });
    assert.equal(start.telemetry.temperaturesC['cpu-thermal'], 47.781);
    assert.equal(start.cpu_fallback, true);
    assert.equal(start.requested_execution_provider, 'cuda');

    const energy = readJsonl<Record<string, any>>(path.join(out, 'energy.jsonl'));
    assert.equal(energy.length, 2, 'one energy line per item');
    for (const line of energy) {
      for (const name of testbed.names) {
        // 5 W for the item's window: joules = 5 × seconds, within the sampling of the two STATS rounds.
        assert.ok(line.joules[name] > 0 && line.joules[name] <= 5 * (line.window_ms / 1000) * 1.5 + 0.05, `${name}: ${line.joules[name]} J over ${line.window_ms} ms`);
        assert.equal(line.rails[name], 'VDD_IN');
      }
      assert.ok(line.n_tokens > 0);
    }
    const meta = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
    assert.equal(meta.environment.node, process.versions.node);
    assert.ok(meta.environment.gitCommit === null || /^[0-9a-f]{40}$/.test(meta.environment.gitCommit));
    assert.equal(typeof meta.environment.dependencies['onnxruntime-node'], 'string');

    const report = await runWdmoe(['report', out], { env });
    assert.equal(report.exitCode, 0, String(report.stderr));
    const text = String(report.stdout) + String(report.stderr);
    assert.match(text, /Energy per policy[\s\S]*J\/token/);
    assert.match(text, /Setup[\s\S]*Orin Nano[\s\S]*cuda asked, cpu used[\s\S]*CPU FALLBACK/);
    assert.match(text, /fell back to CPU/);
    assert.deepEqual(await waitForNoAgents(testbed.names[0]!.slice(0, -2)), [], 'no agent left after the run');
  } finally {
    killAgents(path.basename(temp.dir).slice(-6).toLowerCase());
    temp.dispose();
  }
});

test('a device asked for cuda that runs on cpu stops bench with a clear error unless allow_cpu_fallback', async () => {
  const temp = tempDir();
  try {
    const testbed = await writeTestbed(temp.dir, { devices: 1 });
    withDefaults(testbed.file, ['execution_provider: cuda']);
    const bench = await runWdmoe(['bench', testbed.file, '--dataset', 'add', '--limit', '1', '--out', path.join(temp.dir, 'run')]);
    assert.equal(bench.exitCode, 1, String(bench.stderr));
    const stderr = String(bench.stderr);
    assert.match(stderr, /error\[device-cpu-fallback\]: device \S+: the testbed asks for execution_provider cuda, but the node agent runs its experts on cpu/);
    assert.match(stderr, /hint: .*runtime: python.*allow_cpu_fallback: true/);
    assert.equal(hasStackTrace(stderr), false);
    assert.deepEqual(await waitForNoAgents(testbed.names[0]!.slice(0, -2)), [], 'no agent left after the failed run');
  } finally {
    killAgents(path.basename(temp.dir).slice(-6).toLowerCase());
    temp.dispose();
  }
});
