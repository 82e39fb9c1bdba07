// bench end to end on a loopback testbed whose devices mix runtimes (Node and Python agents): the same
// predictions and top-k accuracy as the all-Node testbed, the Python devices really served (their agent
// logs carry the Python ready line), and no agent of either runtime is left afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { agentMarker, agentPids, killAgents, readJsonl, runWdmoe, tempDir, waitForNoAgents, writeTestbed } from '../e2e/helpers.js';
import { VENV_PYTHON, pythonSkipReason } from './agents.js';

const skip = pythonSkipReason();
if (skip !== undefined) console.log(`# python-agent mixed bench ${skip}`);

// Every file under `dir` whose name ends with `.log`.
function logsUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.log')).map((name) => path.join(dir, name));
}

test('bench on a loopback testbed of Node and Python agents gives the all-Node predictions and accuracy', { skip }, async () => {
  const temp = tempDir();
  const marker = path.basename(temp.dir).slice(-6).toLowerCase();
  try {
    const testbed = await writeTestbed(temp.dir, { devices: 3 });
    const allNode = readFileSync(testbed.file, 'utf8');
    const mixedFile = path.join(temp.dir, 'mixed.yaml');
    // Devices 0 and 2 run the Python agent, device 1 the Node one; device 0 names its interpreter (python:),
    // device 2 gets $WDMOE_PYTHON.
    writeFileSync(mixedFile, allNode
      .replace(/(- \{ name: \S+-0, host: 127\.0\.0\.1, port: \d+) \}/, `$1, runtime: python, python: ${VENV_PYTHON} }`)
      .replace(/(- \{ name: \S+-2, host: 127\.0\.0\.1, port: \d+) \}/, '$1, runtime: python }'));
    assert.equal(readFileSync(mixedFile, 'utf8').match(/runtime: python/g)?.length, 2);

    const env = { NO_COLOR: '1', WDMOE_PYTHON: VENV_PYTHON };
    const runs: Record<string, string> = { node: path.join(temp.dir, 'run-node'), mixed: path.join(temp.dir, 'run-mixed') };
    for (const [name, file] of [['node', testbed.file], ['mixed', mixedFile]] as const) {
      const result = await runWdmoe(['bench', file, '--dataset', 'add,lookup', '--limit', '3', '--policy', 'topk', '--out', runs[name]!], { env });
      assert.equal(result.exitCode, 0, `${name} bench failed:\n${String(result.stderr)}`);
    }
    const results = (name: string) => readJsonl<Record<string, unknown>>(path.join(runs[name]!, 'results.jsonl'))
      .map((line) => `${String(line['dataset'])}/${String(line['id'])}: ${JSON.stringify(line['prediction'])} ${String(line['correct'])}`).sort();
    assert.equal(results('mixed').length, 6);
    assert.deepEqual(results('mixed'), results('node'), 'same prediction and correctness per item');
    const accuracy = (name: string) => (JSON.parse(readFileSync(path.join(runs[name]!, 'summary.json'), 'utf8')) as { groups: Array<{ dataset: string; acc: number }> })
      .groups.map((group) => `${group.dataset} ${group.acc}`).sort();
    assert.deepEqual(accuracy('mixed'), accuracy('node'), 'same top-k accuracy');

    const pythonLogs = logsUnder(runs['mixed']!).filter((file) => /"runtime":"python"/.test(readFileSync(file, 'utf8')));
    assert.equal(pythonLogs.length, 2, `two agent logs with the Python ready line in ${logsUnder(runs['mixed']!).join(', ')}`);
    // The run records what served each device: the Python devices' WELCOME runtime info says python / torch / cpu.
    const setups = readJsonl<{ device: string; phase: string; runtime: Record<string, unknown> | null }>(path.join(runs['mixed']!, 'devices.jsonl'))
      .filter((line) => line.phase === 'start')
      .map((line) => `${line.device.slice(-1)} ${String(line.runtime?.['runtime'])} ${String(line.runtime?.['engine'])} ${String(line.runtime?.['executionProvider'])}`).sort();
    assert.deepEqual(setups, ['0 python torch cpu', '1 node onnxruntime-node cpu', '2 python torch cpu']);
    assert.deepEqual(await waitForNoAgents(agentMarker(testbed.names)), [], 'no agent of either runtime (wdmoe agent, python -m wdmoe_agent) left after the run');
  } finally {
    killAgents(marker);
    temp.dispose();
  }
});
