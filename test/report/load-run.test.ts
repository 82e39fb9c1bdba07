// loadRun's notes and errors on run folders built in a temp dir from the fixtures, one defect each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadRun } from '../../src/report/load-run.js';
import { run } from './helpers.js';

// A copy of a fixture run, changed by `edit`, removed after `use`.
function withCopy(fixture: string, edit: (dir: string) => void, use: (dir: string) => void): void {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'wdmoe-report-')), fixture);
  try {
    cpSync(run(fixture), dir, { recursive: true });
    edit(dir);
    use(dir);
  } finally {
    rmSync(path.dirname(dir), { recursive: true, force: true });
  }
}

test('a finished run loads with every record and no note', () => {
  const folder = loadRun(run('two-policies'), 'two-policies');
  assert.equal(folder.results.length, 16);
  assert.equal(folder.scores.length, 16);
  assert.equal(folder.layers?.length, 64);
  assert.equal(folder.testbed?.devices.length, 4);
  assert.deepEqual(folder.notes, []);
});

const cases: { name: string; edit: (dir: string) => void; note: RegExp; check?: (folder: ReturnType<typeof loadRun>) => void }[] = [
  { name: 'a corrupt layers.jsonl line leaves the per-device load out, naming file:line', note: /layers\.jsonl left out: .*layers\.jsonl:2: not valid JSON/,
    edit: (dir) => { const file = path.join(dir, 'layers.jsonl'); const lines = readFileSync(file, 'utf8').split('\n'); lines[1] = '{oops'; writeFileSync(file, lines.join('\n')); },
    check: (folder) => assert.equal(folder.layers, null) },
  { name: 'a layers format newer than this wdmoe reads is left out with an upgrade note', note: /layers\.jsonl is format 9, newer than this wdmoe reads/,
    edit: (dir) => { const file = path.join(dir, 'run.json'); const meta = JSON.parse(readFileSync(file, 'utf8')); meta.files.layers = 9; writeFileSync(file, JSON.stringify(meta)); } },
  { name: 'a testbed.yaml that is not YAML leaves the testbed table out', note: /testbed\.yaml not understood \(not valid YAML/,
    edit: (dir) => writeFileSync(path.join(dir, 'testbed.yaml'), 'devices: [\n') },
  { name: 'a testbed.yaml without devices leaves the testbed table out, naming the field', note: /testbed\.yaml not understood \(field "devices"/,
    edit: (dir) => writeFileSync(path.join(dir, 'testbed.yaml'), 'name: x\n') },
  { name: 'a policies.json that is not JSON is noted', note: /policies\.json left out: not valid JSON/,
    edit: (dir) => writeFileSync(path.join(dir, 'policies.json'), '{') },
  { name: 'a policy named in run.json without results is a half-finished run', note: /no results for dataset mul under wdmoe .*--resume --out/,
    edit: (dir) => { const file = path.join(dir, 'run.json'); const meta = JSON.parse(readFileSync(file, 'utf8')); meta.policies.push('wdmoe'); writeFileSync(file, JSON.stringify(meta)); } },
  { name: 'layer lines of an item with no results line are not counted', note: /^$/,
    edit: (dir) => { const file = path.join(dir, 'results.jsonl'); writeFileSync(file, readFileSync(file, 'utf8').split('\n').filter((line) => !line.includes('"mul-3"')).join('\n')); },
    check: (folder) => assert.ok(folder.layers!.every((line) => line.id !== 'mul-3') && folder.scores.every((score) => score.id !== 'mul-3')) },
];

for (const one of cases) {
  test(one.name, () => withCopy('two-policies', one.edit, (dir) => {
    const folder = loadRun(dir, 'copy');
    const notes = folder.notes.filter((note) => !/dataset mul has/.test(note)).join('\n');
    assert.match(notes, one.note, folder.notes.join('\n'));
    one.check?.(folder);
  }));
}

test('a corrupt results.jsonl line before the last is an error naming file:line (exit 2)', () => withCopy('two-policies',
  (dir) => { const file = path.join(dir, 'results.jsonl'); const lines = readFileSync(file, 'utf8').split('\n'); lines[2] = '{"dataset": 1}'; writeFileSync(file, lines.join('\n')); },
  (dir) => assert.throws(() => loadRun(dir, 'copy'), (error: Error & { code?: string; exitCode?: number }) =>
    error.code === 'run-records' && error.exitCode === 2 && /results\.jsonl:3: field "dataset"/.test(error.message))));

test('a run.json of a newer run format is refused (exit 2)', () => withCopy('two-policies',
  (dir) => { const file = path.join(dir, 'run.json'); const meta = JSON.parse(readFileSync(file, 'utf8')); meta.formatVersion = 99; writeFileSync(file, JSON.stringify(meta)); },
  (dir) => assert.throws(() => loadRun(dir, 'copy'), /run format version 99 is newer/)));
