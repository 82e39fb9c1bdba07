// Reading a run folder for replay: the recorded fixture loads (devices in testbed order, profile compute,
// placement, routing), and folders that cannot be replayed are refused with a clear error and exit code 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadReplayRun } from '../../src/sim/replay-run.js';
import { SimError } from '../../src/sim/errors.js';

const RUNS = path.join(import.meta.dirname, '../fixtures/runs');

test('the sim-replay fixture loads with its 4 devices, their profile compute and every expert placed', () => {
  const run = loadReplayRun(path.join(RUNS, 'sim-replay'));
  assert.deepEqual(run.devices.map((device) => device.name), ['dev-0', 'dev-2', 'dev-4', 'dev-7']);
  assert.ok(run.devices.every((device) => device.compute.fixedMs > 0 && device.compute.perTokenMs > 0));
  assert.equal(run.expertDevices.length, 4);
  assert.ok(run.expertDevices.every((layer) => layer.length === 8 && layer.every((holders) => holders.length >= 1)));
  assert.deepEqual(run.policies, ['topk', 'wdmoe']);
  assert.equal(run.layers.length, 2 * 2 * 4, '2 items × 2 policies × 4 layers');
  assert.ok(run.layers.every((line) => line.routing!.experts.length === line.tokens * 2));
});

function expectSimError(dir: string, code: string, message: RegExp): void {
  assert.throws(() => loadReplayRun(dir), (error: unknown) => {
    assert.ok(error instanceof SimError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.exitCode, 2);
    assert.match(error.message, message);
    assert.ok(error.hint !== undefined && error.hint.length > 0);
    return true;
  });
}

function copyFixture(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'wdmoe-sim-'));
  cpSync(path.join(RUNS, name), dir, { recursive: true });
  return dir;
}

test('a folder without run.json, or without layers.jsonl, is refused', () => {
  expectSimError(path.join(RUNS, 'older-format'), 'sim-replay-missing', /no run\.json/);
  expectSimError(path.join(RUNS, 'half-finished'), 'sim-replay-no-layers', /no layers\.jsonl/);
});

test('a run of layers format 1 (no routing) is refused, and so is a format-2 log whose routing was dropped', () => {
  const dir = copyFixture('sim-replay');
  try {
    const meta = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'));
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ ...meta, files: { ...meta.files, layers: 1 } }));
    expectSimError(dir, 'sim-replay-old-layers', /layers format 1 has no routing/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expectSimError(path.join(RUNS, 'wireless'), 'sim-replay-no-routing', /layers\.jsonl:1: the line has no routing/);
});

test('a testbed.yaml whose placement names an unknown device, or a manifest without an architecture, is refused', () => {
  const dir = copyFixture('sim-replay');
  try {
    const file = path.join(dir, 'testbed.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/("0\.0":\n\s+- )dev-0/, '$1dev-9'));
    expectSimError(dir, 'sim-replay-bad-file', /placement of expert 0\.0 names unknown device dev-9/);
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ name: 'x' }));
    expectSimError(dir, 'sim-replay-bad-file', /manifest\.json: field "architecture"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
