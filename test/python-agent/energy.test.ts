// Both agent runtimes integrate the same recorded power rails (a JetPack 5 INA3221 hwmon tree at 5 W, and a
// JetPack 4 iio tree) into the STATS energy counters, with the same keys; the Python tegrastats-line parser
// reads the recorded lines of five boards as the Node one does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { DeviceClient } from '../../src/transport/index.js';
import { parseTegrastatsLine } from '../../src/agent/jetson-parse.js';
import { ROOT } from '../e2e/helpers.js';
import { TOKEN, VENV_PYTHON, pythonSkipReason, startAgentProcess, type Runtime } from './agents.js';

const skip = pythonSkipReason();

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'wdmoe-rails-'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

const hwmon = 'sys/bus/i2c/drivers/ina3221/1-0040/hwmon/hwmon3';
const iio = 'sys/bus/i2c/drivers/ina3221x/6-0040/iio:device0';

for (const runtime of ['node', 'python'] as Runtime[]) {
  test(`the ${runtime} agent reports cumulative energy from INA3221 hwmon rails in STATS`, { skip: runtime === 'python' ? skip : undefined }, async () => {
    const root = tree({
      [`${hwmon}/in1_label`]: 'VDD_IN\n', [`${hwmon}/in1_input`]: '5000\n', [`${hwmon}/curr1_input`]: '1000\n',
      [`${hwmon}/in2_label`]: 'NC\n', [`${hwmon}/in2_input`]: '0\n', [`${hwmon}/curr2_input`]: '0\n',
    });
    const agent = await startAgentProcess(runtime, { extra: ['--sysfs-root', root] });
    try {
      const client = await DeviceClient.connect({ device: 'dev-p', host: '127.0.0.1', port: agent.port, token: TOKEN, connectTimeoutMs: 5000 });
      const first = (await client.stats({ deadlineMs: 2000 })).telemetry;
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = (await client.stats({ deadlineMs: 2000 })).telemetry;
      await client.close();
      for (const telemetry of [first, second]) {
        assert.equal(telemetry.energy?.source, 'ina3221');
        assert.equal(telemetry.energy?.totalRail, 'VDD_IN');
        assert.deepEqual(Object.keys(telemetry.energy!.rails), ['VDD_IN'], 'the NC channel is skipped');
        assert.equal(telemetry.energy!.rails.VDD_IN!.milliwatts, 5000);
      }
      const joules = (second.energy!.rails.VDD_IN!.microjoules - first.energy!.rails.VDD_IN!.microjoules) / 1e6;
      const seconds = (second.uptimeMs - first.uptimeMs) / 1000;
      assert.ok(Math.abs(joules - 5 * seconds) <= 0.05 + 0.05 * 5 * seconds, `${runtime}: ${joules} J over ${seconds} s at 5 W`);
    } finally {
      await agent.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
}

test('the Python energy module reads JetPack 4 iio rails and the tegrastats lines of five boards like the Node parser', { skip }, async () => {
  const root = tree({ [`${iio}/rail_name_0`]: 'POM_5V_IN\n', [`${iio}/in_power0_input`]: '2003\n', [`${iio}/rail_name_1`]: 'POM_5V_CPU\n', [`${iio}/in_power1_input`]: '320\n' });
  const boards = ['agx-orin-jp5', 'orin-nano-jp6', 'xavier-nx-jp4', 'nano-jp4', 'tx2-jp4'];
  const lines = boards.map((board) => readFileSync(path.join(ROOT, `test/fixtures/jetson/tegrastats-${board}.txt`), 'utf8').split('\n')[0]!);
  const script = [
    'import json, sys',
    'from wdmoe_agent.energy import discover_sysfs_rails, parse_tegrastats_rails',
    'rails = [(name, source, read()) for name, source, read in discover_sysfs_rails(sys.argv[1])]',
    'print(json.dumps({"rails": rails, "lines": [parse_tegrastats_rails(line) for line in json.loads(sys.argv[2])]}))',
  ].join('\n');
  try {
    const result = await execa(VENV_PYTHON, ['-c', script, root, JSON.stringify(lines)], { cwd: path.join(ROOT, 'python'), reject: false });
    assert.equal(result.exitCode, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as { rails: unknown[]; lines: Array<Record<string, number>> };
    assert.deepEqual(parsed.rails, [['POM_5V_IN', 'ina3221', 2003], ['POM_5V_CPU', 'ina3221', 320]]);
    parsed.lines.forEach((rails, i) => assert.deepEqual(rails, parseTegrastatsLine(lines[i]!)!.railsMilliwatts, boards[i]));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
