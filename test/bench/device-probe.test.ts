// The execution-provider check (a table of asked × reported), the energy counter a device is measured by
// (its input rail, else the sum of its rails), and an energy window over fake probes whose counters move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkExecutionProvider, energyMicrojoules, startEnergyWindow, type DeviceProbe } from '../../src/bench/device-probe.js';
import type { AgentRuntimeInfo, AgentTelemetry } from '../../src/transport/index.js';
import type { DeviceSpec } from '../../src/testbed/index.js';

const runtime = (runtimeName: 'node' | 'python', executionProvider: string) => ({ runtime: runtimeName, executionProvider, engine: 'torch', engineVersion: '2.1.0' }) as AgentRuntimeInfo;
const spec = (executionProvider: DeviceSpec['executionProvider'], isCpuFallbackAllowed = false) => ({ name: 'orin-1', executionProvider, isCpuFallbackAllowed }) as DeviceSpec;

const cases: Array<{ asked: DeviceSpec['executionProvider']; allowed?: boolean; agent: ['node' | 'python', string]; outcome: 'ok' | 'fallback' | string }> = [
  { asked: 'auto', agent: ['node', 'cpu'], outcome: 'ok' },
  { asked: 'cuda', agent: ['python', 'cuda'], outcome: 'ok' },
  { asked: 'cpu', agent: ['python', 'cpu'], outcome: 'ok' },
  { asked: 'cuda', agent: ['node', 'cpu'], outcome: 'device-cpu-fallback' },
  { asked: 'cuda', agent: ['python', 'cpu'], outcome: 'device-cpu-fallback' },
  { asked: 'cuda', allowed: true, agent: ['python', 'cpu'], outcome: 'fallback' },
  { asked: 'cpu', agent: ['python', 'cuda'], outcome: 'device-execution-provider' },
];
for (const c of cases) {
  test(`execution_provider ${c.asked}${c.allowed ? ' (fallback allowed)' : ''}, ${c.agent[0]} agent on ${c.agent[1]} → ${c.outcome}`, () => {
    const check = () => checkExecutionProvider(spec(c.asked, c.allowed), runtime(...c.agent));
    if (c.outcome === 'ok' || c.outcome === 'fallback') assert.deepEqual(check(), { isCpuFallback: c.outcome === 'fallback' });
    else assert.throws(check, (error: Error & { code?: string; hint?: string }) => error.code === c.outcome && /device orin-1/.test(error.message) && (error.hint ?? '') !== '');
  });
}

test('the Node agent\'s fallback hint offers runtime: python; the Python one\'s checks torch.cuda', () => {
  assert.throws(() => checkExecutionProvider(spec('cuda'), runtime('node', 'cpu')), (error: Error & { hint?: string }) => /runtime: python/.test(error.hint ?? ''));
  assert.throws(() => checkExecutionProvider(spec('cuda'), runtime('python', 'cpu')), (error: Error & { hint?: string }) => /torch\.cuda\.is_available/.test(error.hint ?? ''));
});

test('a device is measured by its input rail, else by the sum of its rails', () => {
  const rails = { VDD_GPU_SOC: { microjoules: 300, milliwatts: 1 }, VDD_CPU_CV: { microjoules: 200, milliwatts: 1 } };
  assert.deepEqual(energyMicrojoules({ source: 'ina3221', totalRail: null, rails, sampleCount: 2 }), { microjoules: 500, rail: 'sum of rails' });
  assert.deepEqual(energyMicrojoules({ source: 'ina3221', totalRail: 'VDD_IN', rails: { ...rails, VDD_IN: { microjoules: 900, milliwatts: 1 } }, sampleCount: 2 }), { microjoules: 900, rail: 'VDD_IN' });
});

test('an energy window is the difference of the counters; a device without rails or silent reads null', async () => {
  let microjoules = 1_000_000;
  const telemetry = (energy: AgentTelemetry['energy']) => ({ schema: 1, uptimeMs: 0, temperaturesC: null, powerMode: null, clocks: null, isThrottled: null, energy });
  const probe = (name: string, read: () => Promise<AgentTelemetry>): DeviceProbe => ({ spec: { name } as DeviceSpec, runtime: runtime('node', 'cpu'), isCpuFallback: false, telemetry: read });
  const probes = [
    probe('jetson', async () => telemetry({ source: 'ina3221', totalRail: 'VDD_IN', rails: { VDD_IN: { microjoules, milliwatts: 5000 } }, sampleCount: 1 })),
    probe('pc', async () => telemetry(null)),
    probe('silent', async () => { throw new Error('timeout'); }),
  ];
  const window = await startEnergyWindow(probes, { deadlineMs: 100 });
  microjoules += 2_500_000;
  const measured = await window.finish();
  assert.deepEqual(measured.joules, { jetson: 2.5, pc: null, silent: null });
  assert.deepEqual(measured.rails, { jetson: 'VDD_IN' });
  assert.ok(measured.window_ms >= 0);
});
