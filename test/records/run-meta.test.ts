import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkResumable, createRunMeta, readRunMeta, writeRunMeta } from '../../src/records/run-meta.js';
import { tempDir } from './helpers.js';

const what = { task: 'multiple-choice', datasets: ['add'], policies: ['topk'], model: 'tiny-mixtral', testbed: 'testbeds/loopback.yaml', limit: null, tool: 'wdmoe 0.1.0' } as const;

test('run.json round-trips and carries every file format version', () => {
  const dir = tempDir();
  const meta = createRunMeta({ ...what, datasets: [...what.datasets], policies: [...what.policies] }, new Date('2026-01-02T03:04:05Z'));
  writeRunMeta(dir, meta);
  assert.deepEqual(readRunMeta(dir), meta);
  assert.deepEqual(meta.files, { results: 1, scores: 1, layers: 2, summary: 1, deviceEvents: 1 });
  assert.equal(meta.createdAt, '2026-01-02T03:04:05.000Z');
});

test('a folder without run.json is a fresh run', () => {
  assert.equal(readRunMeta(tempDir()), null);
});

const invalidCases = [
  { name: 'a newer format version', text: JSON.stringify({ format: 'wdmoe-run', formatVersion: 99 }), error: /run format version 99 is newer than this wdmoe reads \(1\)/ },
  { name: 'broken JSON', text: '{', error: /run\.json: not valid JSON/ },
  { name: 'a missing field', text: JSON.stringify({ format: 'wdmoe-run', formatVersion: 1 }), error: /run\.json: field "files"/ },
];
for (const bad of invalidCases) {
  test(`readRunMeta rejects ${bad.name}`, () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'run.json'), bad.text);
    assert.throws(() => readRunMeta(dir), bad.error);
  });
}

test('resuming needs the same task and model, other datasets and policies are fine', () => {
  const meta = createRunMeta({ ...what, datasets: ['add'], policies: ['topk'] });
  assert.equal(checkResumable(meta, { task: 'multiple-choice', model: 'tiny-mixtral' }), null);
  assert.match(checkResumable(meta, { task: 'generate', model: 'tiny-mixtral' }) ?? '', /multiple-choice run, not generate/);
  assert.match(checkResumable(meta, { task: 'multiple-choice', model: 'other' }) ?? '', /used model tiny-mixtral/);
});

test('resume refuses a run whose testbed, bundle, placement, shaping or seed changed', () => {
  const setup = { placement: 'testbed', shaping: 'testbed', seed: 0, testbedSha256: 'a'.repeat(64), manifestSha256: 'b'.repeat(64) };
  const meta = createRunMeta({ task: 'multiple-choice', datasets: ['add'], policies: ['topk'], model: 'tiny-mixtral', testbed: 't.yaml', limit: null, tool: 'wdmoe 0.1.0', setup });
  const wanted = (change: Partial<typeof setup>) => ({ task: 'multiple-choice' as const, model: 'tiny-mixtral', setup: { ...setup, ...change } });
  assert.equal(checkResumable(meta, wanted({})), null);
  assert.match(checkResumable(meta, wanted({ manifestSha256: 'c'.repeat(64) })) ?? '', /model bundle changed/);
  assert.match(checkResumable(meta, wanted({ testbedSha256: 'c'.repeat(64) })) ?? '', /testbed changed/);
  assert.match(checkResumable(meta, wanted({ placement: 'local' })) ?? '', /--placement testbed, not local/);
  assert.match(checkResumable(meta, wanted({ shaping: 'none' })) ?? '', /--shaping testbed, not none/);
  assert.match(checkResumable(meta, wanted({ seed: 1 })) ?? '', /--seed 0, not 1/);
});

test('the testbed fingerprint ignores how the file is named and where its lines are, not what it resolves to', async () => {
  const { assertValidTestbed } = await import('../../src/testbed/index.js');
  const { fingerprintTestbed } = await import('../../src/records/run-meta.js');
  const { readFileSync, mkdirSync } = await import('node:fs');
  const { relative, resolve } = await import('node:path');
  const original = readFileSync(new URL('../../testbeds/loopback.yaml', import.meta.url), 'utf8')
    .replace('model: ../models/tiny-mixtral', `model: ${resolve('models/tiny-mixtral')}`);
  const dir = tempDir();
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text);
    return file;
  };
  const base = write('a.yaml', original);
  const fingerprintOf = async (file: string) => fingerprintTestbed((await assertValidTestbed(file)).testbed);
  const expected = await fingerprintOf(base);
  assert.equal(await fingerprintOf(relative(process.cwd(), base)), expected, 'relative vs absolute path');
  assert.equal(await fingerprintOf(write('moved.yaml', original)), expected, 'another file name');
  assert.equal(await fingerprintOf(write('commented.yaml', `# a note\n# another\n${original}`)), expected, 'lines moved by comments');
  assert.equal(await fingerprintOf(write('token.yaml', original.replace('loopback-insecure-shared-token', 'another-token-of-some-length'))), expected, 'auth token');
  assert.notEqual(await fingerprintOf(write('rate.yaml', original.replace('uplink: { rate: 100mbit', 'uplink: { rate: 50mbit'))), expected, 'a link rate');
  assert.notEqual(await fingerprintOf(write('port.yaml', original.replace('port: 47107', 'port: 47108'))), expected, 'a device port');
});

test('describeTestbedChanges names each changed setting with both values, devices by name, and ignores the path, sources and token', async () => {
  const { describeTestbedChanges } = await import('../../src/records/run-meta.js');
  const device = (name: string, rate: number) => ({ name, port: 7000, link: { uplink: { rateBitsPerSec: rate, delayMs: 5 } } });
  const before = { file: '/a/t.yaml', auth: { tokenLength: 5 }, sources: { x: 1 }, timeouts: { requestMs: 2000 }, devices: [device('j-1', 20_000_000), device('j-2', 20_000_000)] };
  assert.deepEqual(describeTestbedChanges(before, { ...before, file: '/b/t.yaml', auth: { tokenLength: 9 }, sources: {} }), []);
  const now = { ...before, timeouts: { requestMs: 5000 }, devices: [device('j-1', 20_000_000), device('j-2', 10_000_000)] };
  assert.deepEqual(describeTestbedChanges(before, now), [
    'timeouts.requestMs: 2000 then, 5000 now',
    'devices[j-2].link.uplink.rateBitsPerSec: 20000000 then, 10000000 now',
  ]);
  assert.deepEqual(describeTestbedChanges(before, { ...before, devices: [device('j-1', 20_000_000)] }), [
    'devices[j-2]: {"name":"j-2","port":7000,"link":{"uplink":{"… then, unset now',
  ]);
  const many = { ...before, devices: ['a', 'b', 'c', 'd', 'e'].map((name) => device(name, 1)) };
  assert.equal(describeTestbedChanges(before, many).at(-1), 'and more');
  assert.equal(describeTestbedChanges(before, many).length, 4);
});
