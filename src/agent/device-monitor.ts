// What the agent says about its device: the runtime info for WELCOME (runtime, engine, execution
// provider, OS, arch, glibc, Jetson board) and the telemetry for WELCOME and every STATS (thermal
// zones, clocks, power mode, throttling, energy counters). Sysfs is read on each call (cheap); the
// Jetson tools (`nvpmodel -q`, `jetson_clocks --show`) run at start and then every refreshMs in the
// background, so a STATS reply never waits on a process. Absent tools or files read as null.
// Called by agent/run-agent.ts; tests pass a fixture root and fake commands.
import { execFile } from 'node:child_process';
import os from 'node:os';
import type { AgentRuntimeInfo, AgentTelemetry, EnergyCounters } from '../transport/index.js';
import { AGENT_INFO_SCHEMA } from '../transport/index.js';
import { parseJetsonClocksShow, parseNvpmodelQuery, type JetsonClocksShow } from './jetson-parse.js';
import { readDistro, readFrequencies, readJetson, readThermal } from './device-sysfs.js';

// What the agent describes itself with (connection.ts answers WELCOME and STATS from it).
export interface DeviceDescriber {
  runtimeInfo(): AgentRuntimeInfo;
  telemetry(): AgentTelemetry;
}

// Runs a tool and resolves its stdout, or undefined if it is absent, fails or exceeds its time.
export type CommandRunner = (file: string, args: readonly string[]) => Promise<string | undefined>;

const COMMAND_TIMEOUT_MS = 3000;

// The default CommandRunner: execFile with a timeout, no shell.
export const runCommand: CommandRunner = (file, args) =>
  new Promise((resolve) => {
    execFile(file, [...args], { timeout: COMMAND_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout) => resolve(error === null ? stdout : undefined));
  });

export interface DeviceMonitorOptions {
  runtime: 'node' | 'python';
  runtimeVersion: string;
  engine: string;
  engineVersion: string | null;
  executionProvider: string;
  root?: string; // default "/"
  commands?: CommandRunner;
  energy?: () => EnergyCounters | null; // the energy sampler's counters; absent: no power rails
  refreshMs?: number; // how often the Jetson tools run again; default 10000
  startedAtMs?: number; // performance.now() at agent start; default now
  glibc?: string | null; // default: process.report's glibcVersionRuntime
}

export interface DeviceMonitor extends DeviceDescriber {
  close(): void;
}

interface ToolState {
  powerMode: string | null;
  clocks: JetsonClocksShow | null;
}

async function queryTools(commands: CommandRunner): Promise<ToolState> {
  const [mode, clocks] = await Promise.all([commands('nvpmodel', ['-q']), commands('jetson_clocks', ['--show'])]);
  const parsedClocks = clocks === undefined ? null : parseJetsonClocksShow(clocks);
  return { powerMode: (mode === undefined ? null : parseNvpmodelQuery(mode)?.name) ?? parsedClocks?.powerMode ?? null, clocks: parsedClocks };
}

function glibcOfThisProcess(): string | null {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime ?? null;
}

// Starts describing this device; the first Jetson tool query is awaited so WELCOME carries it.
export async function startDeviceMonitor(options: DeviceMonitorOptions): Promise<DeviceMonitor> {
  const root = options.root ?? '/';
  const startedAtMs = options.startedAtMs ?? performance.now();
  const jetson = readJetson(root);
  const commands = options.commands ?? runCommand;
  // Only a Jetson has nvpmodel/jetson_clocks; elsewhere do not even look for them.
  let tools: ToolState = jetson === null ? { powerMode: null, clocks: null } : await queryTools(commands);
  let refresh: NodeJS.Timeout | undefined;
  if (jetson !== null) {
    refresh = setInterval(() => void queryTools(commands).then((next) => (tools = next)), options.refreshMs ?? 10_000);
    refresh.unref();
  }
  const telemetry = (): AgentTelemetry => {
    const thermal = readThermal(root);
    const frequencies = readFrequencies(root);
    const shown = tools.clocks;
    const hasClocks = Object.values(frequencies).some((v) => v !== null) || shown !== null;
    return {
      schema: AGENT_INFO_SCHEMA,
      uptimeMs: Math.round(performance.now() - startedAtMs),
      temperaturesC: thermal.temperaturesC,
      powerMode: tools.powerMode,
      clocks: hasClocks
        ? {
            cpuCurKHz: frequencies.cpuCurKHz,
            cpuMaxKHz: frequencies.cpuMaxKHz,
            gpuCurHz: frequencies.gpuCurHz ?? shown?.gpu?.curHz ?? null,
            gpuMaxHz: frequencies.gpuMaxHz ?? shown?.gpu?.maxHz ?? null,
            emcCurHz: shown?.emc?.curHz ?? null,
            isJetsonClocksOn: shown?.isJetsonClocksOn ?? null,
          }
        : null,
      isThrottled: thermal.isAtPassiveTrip,
      energy: options.energy?.() ?? null,
    };
  };
  const staticInfo = {
    schema: AGENT_INFO_SCHEMA,
    runtime: options.runtime,
    runtimeVersion: options.runtimeVersion,
    engine: options.engine,
    engineVersion: options.engineVersion,
    executionProvider: options.executionProvider,
    os: `${os.type()} ${os.release()}`,
    distro: readDistro(root),
    arch: process.arch,
    glibc: options.glibc === undefined ? glibcOfThisProcess() : options.glibc,
    jetson,
  };
  return {
    runtimeInfo: () => ({ ...staticInfo, telemetry: telemetry() }),
    telemetry,
    close: () => clearInterval(refresh),
  };
}
