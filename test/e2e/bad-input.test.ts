// Bad input through the real bin/wdmoe: each mistake gives one clear message naming the place
// (file:line:col and field, the model file, the dataset, the flag), exit code 2, no stack trace,
// no hang and no agent process left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { agentMarker, copyModel, hasStackTrace, killAgents, runWdmoe, tempDir, waitForNoAgents, writeTestbed } from './helpers.js';

const EXIT_BAD_INPUT = 2;
const LIMITS = { timeout: 30_000 } as const;

interface Outcome {
  exitCode: number | undefined;
  stderr: string;
  stdout: string;
}

function assertBadInput(result: Outcome, expected: RegExp, what: string): void {
  assert.equal(result.exitCode, EXIT_BAD_INPUT, `${what}: exit code\n${result.stderr}`);
  assert.match(result.stderr, expected, `${what}: message`);
  assert.match(result.stderr, /^error\[[a-z0-9-]+\]: /m, `${what}: rendered as error[code]`);
  assert.ok(!hasStackTrace(result.stderr), `${what}: no stack trace without --debug\n${result.stderr}`);
}

// Each case edits the valid testbed text from writeTestbed (lines: 5 token, 6 shaping, 8 defaults.link,
// 10 devices[0], 12 placement).
const TRACES = path.join(path.dirname(new URL(import.meta.url).pathname), '../fixtures/traces');
const withDeviceLink = (link: string) => (yaml: string) => yaml.replace(/(- \{ name: [^,]+, host: 127\.0\.0\.1, port: \d+)( \})/, `$1, link: ${link}$2`);
const invalidTestbeds: Array<{ name: string; edit: (yaml: string) => string; error: (file: string) => RegExp }> = [
  {
    name: 'a malformed trace names the YAML field and trace-file:line',
    edit: withDeviceLink(`{ downlink: { trace: ${TRACES}/negative-rate.csv } }`),
    error: (file) => new RegExp(`${escape(file)}:10:\\d+ devices\\[0\\]\\.link\\.downlink\\.trace: bad trace .*negative-rate\\.csv:4\\): expected rate_bps a number > 0`),
  },
  {
    name: 'an empty trace is refused',
    edit: withDeviceLink(`{ uplink: { trace: ${TRACES}/empty.csv } }`),
    error: (file) => new RegExp(`${escape(file)}:10:\\d+ devices\\[0\\]\\.link\\.uplink\\.trace: .*empty\\.csv.*(empty|no data)`),
  },
  {
    name: 'a channel link with a distance out of range',
    edit: (yaml) => withDeviceLink('{ channel: { distance_m: -3 } }')(yaml.replace(/^defaults:/m, 'bs: { channel: { bandwidth: 20MHz } }\ndefaults:')),
    error: (file) => new RegExp(`${escape(file)}:11:\\d+ devices\\[0\\]\\.link\\.channel\\.distance_m: expected a distance to the BS in metres above 0`),
  },
  {
    name: 'malformed YAML (tab indentation) names file:line:col',
    edit: (yaml) => yaml.replace(/^placement: round-robin$/m, 'placement: round-robin\n\tfoo: 1'),
    error: (file) => new RegExp(`${escape(file)}:13:\\d+ \\(yaml\\): malformed YAML: Tabs`),
  },
  {
    name: 'malformed YAML (unclosed flow map) names the file and a line',
    edit: (yaml) => yaml.replace(/downlink: \{ rate: 1gbit, delay: 0ms \} \}/, 'downlink: { rate: 1gbit, delay: 0ms }'),
    error: (file) => new RegExp(`${escape(file)}:\\d+:\\d+ \\(yaml\\): malformed YAML: .*end with a \\}`),
  },
  {
    name: 'unknown key gets a did-you-mean',
    edit: (yaml) => yaml.replace(/^shaping:/m, 'shapng:'),
    error: (file) => new RegExp(`${escape(file)}:6:1 shapng: unknown key "shapng"; did you mean "shaping"\\?`),
  },
  {
    name: 'bad rate string on a device link names devices[0].link.uplink.rate',
    edit: (yaml) => yaml.replace(/(- \{ name: [^,]+, host: 127\.0\.0\.1, port: \d+)( \})/, '$1, link: { uplink: { rate: fast } }$2'),
    error: (file) => new RegExp(`${escape(file)}:10:\\d+ devices\\[0\\]\\.link\\.uplink\\.rate: expected a rate like 20mbit.* got "fast"`),
  },
  {
    name: 'bad rate string in the defaults names defaults.link.downlink.rate',
    edit: (yaml) => yaml.replace('downlink: { rate: 1gbit', 'downlink: { rate: 10 megabits'),
    error: (file) => new RegExp(`${escape(file)}:8:\\d+ defaults\\.link\\.downlink\\.rate: expected a rate .* got "10 megabits"`),
  },
];

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

for (const testbedCase of invalidTestbeds) {
  test(`bench rejects an invalid testbed: ${testbedCase.name} (exit 2)`, async () => {
    const temp = tempDir();
    try {
      const testbed = await writeTestbed(temp.dir, { devices: 2 });
      writeFileSync(testbed.file, testbedCase.edit(readFileSync(testbed.file, 'utf8')));
      const out = path.join(temp.dir, 'run');
      const result = await runWdmoe(['bench', testbed.file, '--dataset', 'add', '--limit', '1', '--out', out], LIMITS);
      assertBadInput(result as Outcome, testbedCase.error(testbed.file), testbedCase.name);
      assert.match(String(result.stderr), /hint: .*wdmoe validate/);
      assert.ok(!existsSync(out), 'no run folder for a testbed that never parsed');
      assert.deepEqual(await waitForNoAgents(agentMarker(testbed.names), 1000), []);
    } finally {
      temp.dispose();
    }
  });
}

test('validate exits 2 on an invalid testbed and --json gives {ok:false, errors:[{file,line,col,field,message}]}', async () => {
  const temp = tempDir();
  try {
    const testbed = await writeTestbed(temp.dir, { devices: 2 });
    writeFileSync(testbed.file, readFileSync(testbed.file, 'utf8').replace(/^shaping:/m, 'shapng:').replace('downlink: { rate: 1gbit', 'downlink: { rate: fast'));
    const text = await runWdmoe(['validate', testbed.file], LIMITS);
    assertBadInput(text as Outcome, /2 problems/, 'validate');
    const json = await runWdmoe(['validate', testbed.file, '--json'], LIMITS);
    assert.equal(json.exitCode, EXIT_BAD_INPUT, String(json.stderr));
    const parsed = JSON.parse(String(json.stdout)) as { ok: boolean; errors: Array<Record<string, unknown>> };
    assert.equal(parsed.ok, false);
    assert.deepEqual(
      parsed.errors.map((error) => [error['file'], error['line'], error['field']]).sort(),
      [
        [testbed.file, 6, 'shapng'],
        [testbed.file, 8, 'defaults.link.downlink.rate'],
      ],
    );
    for (const error of parsed.errors) assert.deepEqual(Object.keys(error).sort(), ['col', 'field', 'file', 'line', 'message']);
    assert.ok(!hasStackTrace(String(json.stderr)));
  } finally {
    temp.dispose();
  }
});

// Model bundle mistakes: a copy of the bundle with one file removed or one byte flipped.
const badBundles: Array<{ name: string; file: string; damage: (file: string) => void; error: RegExp }> = [
  { name: 'a missing expert file', file: 'expert.1.3.onnx', damage: (file) => rmSync(file), error: /is missing or unreadable/ },
  { name: 'an expert file with a flipped byte', file: 'expert.2.0.onnx', damage: flipByte, error: /sha256 is [0-9a-f]{64}, manifest says [0-9a-f]{64}/ },
  { name: 'an attention file with a flipped byte', file: 'attn.1.onnx', damage: flipByte, error: /sha256 is [0-9a-f]{64}, manifest says [0-9a-f]{64}/ },
];

function flipByte(file: string): void {
  const bytes = readFileSync(file);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0xff;
  writeFileSync(file, bytes);
}

for (const bundle of badBundles) {
  test(`bench rejects a model bundle with ${bundle.name}, naming the file (exit 2, no agent left)`, async () => {
    const temp = tempDir();
    const model = copyModel(temp.dir);
    const testbed = await writeTestbed(temp.dir, { devices: 2, model });
    const marker = agentMarker(testbed.names);
    try {
      const damaged = path.join(model, bundle.file);
      bundle.damage(damaged);
      const result = await runWdmoe(['bench', testbed.file, '--dataset', 'add', '--limit', '1', '--out', path.join(temp.dir, 'run')], LIMITS);
      assertBadInput(result as Outcome, new RegExp(`model file ${escape(damaged)}: `), bundle.name);
      assert.match(String(result.stderr), bundle.error);
      assert.match(String(result.stderr), /hint: .*(re-export|restore)/);
      assert.deepEqual(await waitForNoAgents(marker, 3000), [], 'the agents bench started are stopped');
    } finally {
      killAgents(marker);
      temp.dispose();
    }
  });
}

test('bench rejects a runtime python device whose python: does not exist, naming the device and the interpreter (exit 2, no agent left)', async () => {
  const temp = tempDir();
  const testbed = await writeTestbed(temp.dir, { devices: 2 });
  const marker = agentMarker(testbed.names);
  try {
    const missing = path.join(temp.dir, 'no-venv', 'bin', 'python');
    writeFileSync(testbed.file, readFileSync(testbed.file, 'utf8').replace(/(- \{ name: \S+-0, host: 127\.0\.0\.1, port: \d+) \}/, `$1, runtime: python, python: no-venv/bin/python }`));
    // The testbed's python comes before $WDMOE_PYTHON: the error names the testbed's.
    const result = await runWdmoe(['bench', testbed.file, '--dataset', 'add', '--limit', '1', '--out', path.join(temp.dir, 'run')], { ...LIMITS, env: { NO_COLOR: '1', WDMOE_PYTHON: '/elsewhere/python-from-env' } });
    assertBadInput(result as Outcome, new RegExp(`device ${testbed.names[0]}: .*cannot run the Python interpreter "${escape(missing)}" \\(ENOENT\\)`), 'missing python');
    assert.match(String(result.stderr), new RegExp(`hint: .*\`python:\` for ${testbed.names[0]} \\(or defaults\\.python\\) in the testbed, else \\$WDMOE_PYTHON`));
    assert.deepEqual(await waitForNoAgents(marker, 3000), [], 'the agents bench started are stopped');
  } finally {
    killAgents(marker);
    temp.dispose();
  }
});

test('bench rejects an unknown dataset name with a did-you-mean (exit 2)', async () => {
  const temp = tempDir();
  try {
    const testbed = await writeTestbed(temp.dir, { devices: 2 });
    const result = await runWdmoe(['bench', testbed.file, '--dataset', 'ad', '--limit', '1', '--out', path.join(temp.dir, 'run')], LIMITS);
    assertBadInput(result as Outcome, /unknown dataset "ad" \(did you mean "add"\?\)/, 'unknown dataset');
    assert.deepEqual(await waitForNoAgents(agentMarker(testbed.names), 1000), []);
  } finally {
    temp.dispose();
  }
});

test('bench rejects an unknown policy, listing the known ones (exit 2)', async () => {
  const temp = tempDir();
  try {
    const testbed = await writeTestbed(temp.dir, { devices: 2 });
    const result = await runWdmoe(['bench', testbed.file, '--dataset', 'add', '--policy', 'topkk', '--out', path.join(temp.dir, 'run')], LIMITS);
    assertBadInput(result as Outcome, /unknown policy "topkk" \(built-in: [^;]*topk[^;]*; or a path to a .mjs module\)/, 'unknown policy');
    assert.match(String(result.stderr), /did you mean topk\?/);
    assert.deepEqual(await waitForNoAgents(agentMarker(testbed.names), 1000), []);
  } finally {
    temp.dispose();
  }
});

test('an unknown command-line flag is a usage error (exit 2)', async () => {
  const result = await runWdmoe(['bench', 'testbeds/loopback.yaml', '--frobnicate'], LIMITS);
  assert.equal(result.exitCode, EXIT_BAD_INPUT, String(result.stderr));
  assert.match(String(result.stderr), /unknown option '--frobnicate'/);
  assert.ok(!hasStackTrace(String(result.stderr)));
});

test('report on a folder that is not a run exits 2 naming the folder', async () => {
  const temp = tempDir();
  try {
    const result = await runWdmoe(['report', temp.dir], LIMITS);
    assertBadInput(result as Outcome, new RegExp(`${escape(temp.dir)} holds no results\\.jsonl`), 'report');
  } finally {
    temp.dispose();
  }
});

test('every command\'s --help ends with the exit codes (exit 0)', async () => {
  for (const command of [[], ['validate'], ['bench'], ['report'], ['agent'], ['loopback'], ['loopback', 'up'], ['loopback', 'down']]) {
    const result = await runWdmoe([...command, '--help'], LIMITS);
    assert.equal(result.exitCode, 0, `wdmoe ${command.join(' ')} --help: exit code`);
    assert.match(String(result.stdout), /Exit codes:\n {2}0 {4}success\n {2}1 .*\n {2}2 .*\n {2}130 /, `wdmoe ${command.join(' ')} --help lists the exit codes`);
  }
});
