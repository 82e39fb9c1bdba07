// The report's Setup and Energy tables from devices.jsonl / energy.jsonl lines: throttling (a trip point,
// a clock cap that fell, a power mode change), the CPU-fallback flag, the (bs) environment row, J/token,
// and the "no power rails" note.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { energyRows, setupNotes, setupRows, throttleReasons } from '../../src/report/setup.js';
import type { RunFolder } from '../../src/report/run-folder.js';
import type { DeviceSetupRecord, ItemEnergyRecord } from '../../src/records/index.js';
import { splitSeries } from '../../src/report/series.js';

const telemetry = (over: Record<string, unknown> = {}) => ({ temperaturesC: { 'cpu-thermal': 45 }, powerMode: 'MAXN', isThrottled: false, clocks: { cpuMaxKHz: 1510400, gpuMaxHz: 624750000 }, ...over });
const line = (phase: 'start' | 'end', t: Record<string, unknown>, over: Partial<DeviceSetupRecord> = {}): DeviceSetupRecord => ({
  session: '2026-12-03T00:00:00.000Z', device: 'orin-1', phase, at: '2026-12-03T00:00:01.000Z',
  runtime: phase === 'start' ? { runtime: 'python', runtimeVersion: '3.10.12', engine: 'torch', engineVersion: '2.1.0', executionProvider: 'cpu', os: 'Linux 5.15.136-tegra', arch: 'arm64', jetson: { model: 'NVIDIA Jetson Orin Nano', l4t: 'R36.3.0' } } : null,
  telemetry: t, requested_execution_provider: 'auto', cpu_fallback: false, ...over,
});
const result = (id: string, policy: string) => ({ dataset: 'add', id, policy, prediction: 0, gold: 0, correct: true, n_tokens: 10,
  latency_ms: { total: 10, breakdown: { bs_compute: 2, uplink: 2, device_compute: 2, downlink: 2, other: 2 } }, experts: { used: 8, dropped: 0 } });
const folder = (deviceSetup: DeviceSetupRecord[], energy: ItemEnergyRecord[] = []): RunFolder => ({
  dir: '/nowhere', label: 'run', meta: null, results: [result('1', 'topk'), result('2', 'topk')], scores: [], generations: [], layers: null, testbed: null,
  policyParams: null, sweep: null, deviceSetup, energy, notes: [],
});

test('throttling: a passive trip, a clock cap that fell, a power mode change; steady clocks are not', () => {
  assert.deepEqual(throttleReasons(telemetry(), telemetry()), []);
  assert.match(throttleReasons(telemetry(), telemetry({ isThrottled: true })).join(), /passive trip point/);
  assert.match(throttleReasons(telemetry(), telemetry({ clocks: { cpuMaxKHz: 1190400, gpuMaxHz: 624750000 } })).join(), /CPU clock cap fell 1510400 → 1190400 kHz/);
  assert.match(throttleReasons(telemetry(), telemetry({ powerMode: '7W' })).join(), /power mode changed MAXN → 7W/);
  assert.deepEqual(throttleReasons(null, null), []);
});

test('setup rows: one per device session, flags throttling and CPU fallback, and the notes name them', () => {
  const run = folder([
    line('start', telemetry(), { requested_execution_provider: 'cuda', cpu_fallback: true }),
    line('end', telemetry({ temperaturesC: { 'cpu-thermal': 88.25 }, clocks: { cpuMaxKHz: 1190400, gpuMaxHz: 624750000 } }), { requested_execution_provider: 'cuda', cpu_fallback: true }),
  ]);
  const rows = setupRows([run]);
  assert.equal(rows.length, 1);
  const row = rows[0]!;
  assert.equal(row.execution_provider, 'cuda asked, cpu used');
  assert.equal(row.board, 'NVIDIA Jetson Orin Nano (L4T R36.3.0)');
  assert.equal(row.temperature, '45°C → 88.3°C');
  assert.equal(row.power_mode, 'MAXN');
  assert.match(row.flags, /^CPU FALLBACK; THROTTLED: CPU clock cap fell/);
  const notes = setupNotes(run, rows);
  assert.ok(notes.some((note) => /orin-1 fell back to CPU/.test(note)));
  assert.ok(notes.some((note) => /orin-1 throttled during the run/.test(note)));
  assert.ok(notes.includes('no power rails on the devices: energy not measured'));
});

test('a session without an end reading says so; a run without devices.jsonl has no setup rows or notes', () => {
  assert.match(setupRows([folder([line('start', telemetry())])])[0]!.flags, /no end reading/);
  assert.deepEqual(setupRows([folder([])]), []);
  assert.deepEqual(setupNotes(folder([]), []), []);
});

test('energy per policy: J/item and J/token over the measured items, devices and rails named', () => {
  const energy: ItemEnergyRecord[] = [
    { dataset: 'add', id: '1', policy: 'topk', n_tokens: 10, window_ms: 100, joules: { 'orin-1': 0.5, pc: null }, rails: { 'orin-1': 'VDD_IN' } },
    { dataset: 'add', id: '2', policy: 'topk', n_tokens: 30, window_ms: 100, joules: { 'orin-1': 1.5, pc: null }, rails: { 'orin-1': 'VDD_IN' } },
  ];
  const run = folder([line('start', telemetry()), line('end', telemetry())], energy);
  const [row] = energyRows(splitSeries([run]));
  assert.deepEqual({ ...row }, { run: 'run', policy: 'topk', series: 'topk', items: 2, joules: 2, joules_per_item: 1, joules_per_token: 0.05, devices: 'orin-1', rails: 'VDD_IN' });
  assert.equal(setupNotes(run, setupRows([run])).length, 0, 'measured energy, no throttle: nothing to note');
});
