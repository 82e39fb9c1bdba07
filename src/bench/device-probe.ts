// What bench asks the agents about themselves: the execution-provider check at connect (a device asked
// for cuda that reports cpu is an error unless the testbed allows the fallback), the devices.jsonl lines
// at a session's start and end (runtime info + telemetry), and the energy of one item's window from the
// agents' cumulative counters (STATS before the item's first RUN and after its last RESULT; the agent
// answers STATS when read, so pipelined RUNs inside the window are all counted). Called by
// bench/connect-devices.ts and bench/run.ts.
import { WdmoeError, EXIT_RUN_FAILED } from '../core/index.js';
import type { DeviceSetupWriter, ItemEnergyRecord } from '../records/index.js';
import type { DeviceSpec } from '../testbed/index.js';
import type { AgentRuntimeInfo, AgentTelemetry, EnergyCounters } from '../transport/index.js';

// One connected agent as bench probes it.
export interface DeviceProbe {
  readonly spec: DeviceSpec;
  readonly runtime: AgentRuntimeInfo;
  readonly isCpuFallback: boolean;
  telemetry(options: { deadlineMs: number; signal?: AbortSignal }): Promise<AgentTelemetry>;
}

// Throws unless the agent runs the experts on the provider the testbed asks for; says whether a
// cuda → cpu fallback was let through by allow_cpu_fallback.
export function checkExecutionProvider(spec: DeviceSpec, runtime: AgentRuntimeInfo): { isCpuFallback: boolean } {
  const wanted = spec.executionProvider;
  const actual = runtime.executionProvider;
  if (wanted === 'auto' || actual === wanted) return { isCpuFallback: false };
  if (wanted === 'cuda' && actual === 'cpu') {
    if (spec.isCpuFallbackAllowed) return { isCpuFallback: true };
    throw new WdmoeError('device-cpu-fallback', `device ${spec.name}: the testbed asks for execution_provider cuda, but the ${runtime.runtime} agent runs its experts on cpu (${runtime.engine} ${runtime.engineVersion ?? ''})`.trimEnd(), {
      exitCode: EXIT_RUN_FAILED,
      hint: runtime.runtime === 'node'
        ? 'the Node agent (onnxruntime-node) is CPU-only on Linux arm64: use `runtime: python` with JetPack\'s torch, or set `allow_cpu_fallback: true` to accept cpu'
        : 'check CUDA on the device (python3 -c "import torch; print(torch.cuda.is_available())"), or set `allow_cpu_fallback: true` to accept cpu',
    });
  }
  throw new WdmoeError('device-execution-provider', `device ${spec.name}: the testbed asks for execution_provider ${wanted}, the agent reports ${actual}`, {
    exitCode: EXIT_RUN_FAILED,
    hint: `set execution_provider: ${actual} (or auto) for ${spec.name}, or start the agent with the provider the testbed names`,
  });
}

// Telemetry of every probe, null for a device that did not answer within the deadline.
async function telemetryOfAll(probes: readonly DeviceProbe[], deadlineMs: number, signal?: AbortSignal): Promise<Array<AgentTelemetry | null>> {
  return Promise.all(probes.map((probe) => probe.telemetry({ deadlineMs, signal }).catch(() => null)));
}

// Appends one devices.jsonl line per device for this session's start or end; returns the telemetry read.
export async function recordDeviceSetup(
  writer: DeviceSetupWriter, probes: readonly DeviceProbe[], phase: 'start' | 'end',
  context: { session: string; deadlineMs: number; signal?: AbortSignal },
): Promise<Array<AgentTelemetry | null>> {
  const telemetry = await telemetryOfAll(probes, context.deadlineMs, context.signal);
  const at = new Date().toISOString();
  probes.forEach((probe, index) => {
    writer.append({
      session: context.session, device: probe.spec.name, phase, at,
      runtime: phase === 'start' ? (probe.runtime as unknown as Record<string, unknown>) : null,
      telemetry: (telemetry[index] ?? null) as unknown as Record<string, unknown> | null,
      requested_execution_provider: probe.spec.executionProvider,
      cpu_fallback: probe.isCpuFallback,
    });
  });
  return telemetry;
}

// The energy counter bench integrates for a device: its total rail, else the sum of its rails.
export function energyMicrojoules(energy: EnergyCounters): { microjoules: number; rail: string } {
  if (energy.totalRail !== null) return { microjoules: energy.rails[energy.totalRail]!.microjoules, rail: energy.totalRail };
  return { microjoules: Object.values(energy.rails).reduce((sum, rail) => sum + rail.microjoules, 0), rail: 'sum of rails' };
}

// An open energy window over the devices that have power rails.
export interface EnergyWindow {
  finish(): Promise<Pick<ItemEnergyRecord, 'joules' | 'rails' | 'window_ms'>>;
}

// Starts a window: reads every device's counters now. Devices without rails read null joules.
export async function startEnergyWindow(probes: readonly DeviceProbe[], context: { deadlineMs: number; signal?: AbortSignal }): Promise<EnergyWindow> {
  const startedMs = performance.now();
  const before = await telemetryOfAll(probes, context.deadlineMs, context.signal);
  return {
    async finish() {
      const after = await telemetryOfAll(probes, context.deadlineMs, context.signal);
      const joules: ItemEnergyRecord['joules'] = {};
      const rails: ItemEnergyRecord['rails'] = {};
      probes.forEach((probe, index) => {
        const [a, b] = [before[index]?.energy ?? null, after[index]?.energy ?? null];
        if (a === null || b === null) {
          joules[probe.spec.name] = null;
          return;
        }
        const [start, end] = [energyMicrojoules(a), energyMicrojoules(b)];
        joules[probe.spec.name] = Math.max(0, end.microjoules - start.microjoules) / 1e6;
        rails[probe.spec.name] = end.rail;
      });
      return { joules, rails, window_ms: performance.now() - startedMs };
    },
  };
}
