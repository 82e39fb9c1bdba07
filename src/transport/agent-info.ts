// The JSON documents an agent reports about itself: AgentRuntimeInfo in WELCOME (what runs the
// experts: runtime, engine, execution provider, OS, arch, Jetson board) and AgentTelemetry in WELCOME
// and every STATS (temperatures, power mode, clocks, throttling, energy counters). Types, a JSON
// encoder and a validating decoder that throws ProtocolError('bad-info'). Pure leaf: no sockets,
// timers or logging; node: built-ins only. docs/protocol.md "Runtime info and telemetry" is the spec;
// the Python agent writes the same keys.
import { ProtocolError } from './errors.js';

export const AGENT_INFO_SCHEMA = 1;

// Clock state of one device: kHz of the CPU cores (max over cores) and Hz of the GPU / memory bus.
// `*MaxHz`/`*MaxKHz` are the current caps (DVFS / thermal limits), `*CurHz`/`*CurKHz` the instantaneous clock.
export interface ClockState {
  cpuCurKHz: number | null;
  cpuMaxKHz: number | null;
  gpuCurHz: number | null;
  gpuMaxHz: number | null;
  emcCurHz: number | null;
  isJetsonClocksOn: boolean | null; // jetson_clocks --show: every clock pinned at its maximum
}

// Energy integrated by the agent over its power rails since its sampler started.
export interface EnergyCounters {
  source: string; // 'tegrastats' | 'ina3221' | 'hwmon' | …
  totalRail: string | null; // the rail that measures the whole board (VDD_IN, POM_5V_IN); null: none known
  rails: Record<string, { microjoules: number; milliwatts: number }>; // cumulative energy, last power
  sampleCount: number;
}

// A snapshot of the device's state (WELCOME: at the handshake; STATS: when the request was read).
export interface AgentTelemetry {
  schema: number;
  uptimeMs: number; // agent's monotonic clock, ms since it started (the BS and device clocks are not synchronised)
  temperaturesC: Record<string, number> | null; // thermal zone type → °C; null: no thermal zones
  powerMode: string | null; // nvpmodel -q, e.g. "MAXN"; null: not a Jetson / no nvpmodel
  clocks: ClockState | null;
  isThrottled: boolean | null; // a thermal zone at/above its first passive trip point, or a clock cap below its maximum
  energy: EnergyCounters | null; // null: no power rails
}

// What runs this device's experts (WELCOME).
export interface AgentRuntimeInfo {
  schema: number;
  runtime: 'node' | 'python';
  runtimeVersion: string; // Node's process.version without "v" / Python's platform.python_version()
  engine: string; // 'onnxruntime-node' | 'torch' | 'onnxruntime'
  engineVersion: string | null;
  executionProvider: string; // what actually ran the experts: 'cpu' | 'cuda' | 'tensorrt' | …
  os: string; // kernel name + release, e.g. "Linux 5.10.120-tegra"
  distro: string | null; // /etc/os-release PRETTY_NAME
  arch: string; // Node's names: 'x64' | 'arm64'
  glibc: string | null; // e.g. "2.31"; null: not glibc
  jetson: { model: string | null; l4t: string | null } | null; // null: not a Jetson
  telemetry: AgentTelemetry;
}

// Serialises a document for the wire (UTF-8 JSON).
export function encodeAgentJson(document: AgentRuntimeInfo | AgentTelemetry): Buffer {
  return Buffer.from(JSON.stringify(document), 'utf8');
}

type Json = Record<string, unknown>;

function fail(what: string, detail: string): never {
  throw new ProtocolError('bad-info', `${what}: ${detail}`);
}

function parseObject(what: string, bytes: Buffer): Json {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    fail(what, `not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(what, 'not a JSON object');
  return value as Json;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isString = (v: unknown): v is string => typeof v === 'string';

function field<T>(what: string, object: Json, key: string, check: (v: unknown) => v is T, expected: string, isNullable = false): T | null {
  const value = object[key];
  if ((value === null || value === undefined) && isNullable) return null;
  if (!check(value)) fail(what, `${key} must be ${expected}${isNullable ? ' or null' : ''}, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';

function numberMap(what: string, value: Json): Record<string, number> {
  for (const [key, entry] of Object.entries(value)) if (!isNumber(entry)) fail(what, `${key} must be a number, got ${JSON.stringify(entry)}`);
  return value as Record<string, number>;
}

function decodeClocks(what: string, value: Json): ClockState {
  const n = (key: string) => field(what, value, key, isNumber, 'a number', true);
  return {
    cpuCurKHz: n('cpuCurKHz'), cpuMaxKHz: n('cpuMaxKHz'), gpuCurHz: n('gpuCurHz'), gpuMaxHz: n('gpuMaxHz'), emcCurHz: n('emcCurHz'),
    isJetsonClocksOn: field(what, value, 'isJetsonClocksOn', isBoolean, 'a boolean', true),
  };
}

function decodeEnergy(what: string, value: Json): EnergyCounters {
  const rails = field(what, value, 'rails', isObject, 'an object')!;
  const decoded: EnergyCounters['rails'] = {};
  for (const [name, rail] of Object.entries(rails)) {
    if (!isObject(rail)) fail(what, `rails.${name} must be an object`);
    decoded[name] = {
      microjoules: field(`${what} rails.${name}`, rail, 'microjoules', isNumber, 'a number')!,
      milliwatts: field(`${what} rails.${name}`, rail, 'milliwatts', isNumber, 'a number')!,
    };
  }
  const totalRail = field(what, value, 'totalRail', isString, 'a string', true);
  if (totalRail !== null && decoded[totalRail] === undefined) fail(what, `totalRail "${totalRail}" is not one of the rails`);
  return { source: field(what, value, 'source', isString, 'a string')!, totalRail, rails: decoded, sampleCount: field(what, value, 'sampleCount', isNumber, 'a number')! };
}

function decodeTelemetryObject(what: string, value: Json): AgentTelemetry {
  const temperatures = field(what, value, 'temperaturesC', isObject, 'an object', true);
  const clocks = field(what, value, 'clocks', isObject, 'an object', true);
  const energy = field(what, value, 'energy', isObject, 'an object', true);
  return {
    schema: field(what, value, 'schema', isNumber, 'a number')!,
    uptimeMs: field(what, value, 'uptimeMs', isNumber, 'a number')!,
    temperaturesC: temperatures === null ? null : numberMap(`${what} temperaturesC`, temperatures),
    powerMode: field(what, value, 'powerMode', isString, 'a string', true),
    clocks: clocks === null ? null : decodeClocks(`${what} clocks`, clocks),
    isThrottled: field(what, value, 'isThrottled', isBoolean, 'a boolean', true),
    energy: energy === null ? null : decodeEnergy(`${what} energy`, energy),
  };
}

// Parses and checks STATS telemetry; unknown keys are ignored (later schemas may add some).
export function decodeAgentTelemetry(bytes: Buffer): AgentTelemetry {
  return decodeTelemetryObject('stats telemetry', parseObject('stats telemetry', bytes));
}

// Parses and checks WELCOME runtime info; unknown keys are ignored.
export function decodeAgentRuntimeInfo(bytes: Buffer): AgentRuntimeInfo {
  const what = 'welcome info';
  const value = parseObject(what, bytes);
  const s = (key: string, isNullable = false) => field(what, value, key, isString, 'a string', isNullable);
  const runtime = s('runtime');
  if (runtime !== 'node' && runtime !== 'python') fail(what, `runtime must be "node" or "python", got ${JSON.stringify(runtime)}`);
  const jetson = field(what, value, 'jetson', isObject, 'an object', true);
  const telemetry = field(what, value, 'telemetry', isObject, 'an object')!;
  return {
    schema: field(what, value, 'schema', isNumber, 'a number')!,
    runtime, runtimeVersion: s('runtimeVersion')!, engine: s('engine')!, engineVersion: s('engineVersion', true),
    executionProvider: s('executionProvider')!, os: s('os')!, distro: s('distro', true), arch: s('arch')!, glibc: s('glibc', true),
    jetson: jetson === null ? null : {
      model: field(`${what} jetson`, jetson, 'model', isString, 'a string', true),
      l4t: field(`${what} jetson`, jetson, 'l4t', isString, 'a string', true),
    },
    telemetry: decodeTelemetryObject(`${what} telemetry`, telemetry),
  };
}
