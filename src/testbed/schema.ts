// The testbed file as the user writes it (`TestbedFile`): one zod schema, the single source of truth
// for keys, types, descriptions and defaults. Keys are snake_case as in the YAML.
// Keys a device inherits (link, ssh, profile, port, agent_dir) are optional here and resolved in
// normalise.ts (device → its link profile → `defaults` → built-in), so their "default" is stated in
// the description. Called by load.ts; only testbed/ sees these types. Imports zod and core's unit parsers only.
import { z } from 'zod';
import { parseDuration, parseFrequency, parseLoss, parseRate, type UnitResult } from '../core/index.js';

// A key with a description and a default (changesets `rootKey`).
function key<T extends z.ZodType>(schema: T, description: string, fallback: z.output<T>) {
  return schema.default(fallback as never).describe(description);
}

function unitField<T>(parse: (value: unknown) => UnitResult<T>) {
  return z.unknown().transform((value, context): T => {
    const result = parse(value);
    if (result.ok) return result.value;
    context.issues.push({ code: 'custom', message: result.message, input: value });
    return z.NEVER;
  });
}

const rate = unitField(parseRate);
const duration = unitField(parseDuration);
// A deadline: a duration above zero (a zero deadline would fail every request at once).
const deadline = unitField((value) => {
  const result = parseDuration(value);
  return result.ok && result.value <= 0 ? { ok: false as const, message: `expected a deadline above zero like 5s or 500ms, got ${JSON.stringify(value)}` } : result;
});
const loss = unitField(parseLoss);
const frequency = unitField(parseFrequency);
// A duration above zero (a coherence block or item interval of 0 ms means nothing).
const positiveDuration = unitField((value) => {
  const result = parseDuration(value);
  return result.ok && result.value <= 0 ? { ok: false as const, message: `expected a duration above zero like 100ms, got ${JSON.stringify(value)}` } : result;
});
// A number in [min, max] (dB, dBm, metres): the message names the unit and the range.
const boundedNumber = (what: string, min: number, max: number, isMinExclusive = false) => {
  const error = `expected ${what} ${isMinExclusive ? 'above' : 'from'} ${min} ${isMinExclusive ? 'up to' : 'to'} ${max}`;
  const base = z.number({ error }).max(max, { error });
  return isMinExclusive ? base.gt(min, { error }) : base.min(min, { error });
};

const port = z
  .number({ error: 'expected a TCP port number (1–65535)' })
  .int({ error: 'expected a TCP port number (1–65535)' })
  .min(1, { error: 'expected a TCP port number (1–65535)' })
  .max(65535, { error: 'expected a TCP port number (1–65535)' });

const text = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}, not empty` });

const DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const EXPERT_SPEC = /^(\*|[0-9]+)(\.(\*|[0-9]+))?$/;
export const EXPERT_SPEC_FORMS = '"3" (expert 3 of every layer), "2.5" (layer 2, expert 5), "*.5", "2.*" or "*"';

export const LinkDirectionSchema = z.strictObject({
  rate: rate.optional().describe('rate like 20mbit (tc units; bps = bytes/s); default: inherited, else unlimited'),
  delay: duration.optional().describe('one-way delay like 5ms; default: inherited, else 0ms'),
  jitter: duration.optional().describe('delay jitter like 1ms; default: inherited, else 0ms'),
  loss: loss.optional().describe('packet loss like 0.5% or 0.005; default: inherited, else 0'),
});

export const TRACE_FORMS = 'a trace file path like traces/lte.csv, or { file, format: csv | mahimahi, bin: 100ms }';

// A rate trace the direction replays (read by load.ts; format from the extension unless given).
export const TraceSchema = z.union(
  [
    text('a trace file path'),
    z.strictObject({
      file: text('a trace file path').describe('trace file (relative to the YAML file)'),
      format: z.enum(['csv', 'mahimahi']).optional().describe('csv (t_ms,rate_bps[,delay_ms]) or mahimahi (mm-link packet-delivery trace); default: csv for .csv files, else mahimahi'),
      bin: positiveDuration.optional().describe('Mahimahi only: window delivery opportunities are counted in; default: 100ms'),
    }),
  ],
  { error: `expected ${TRACE_FORMS}` },
);

// A direction of a testbed link: a fixed rate, or a trace the rate (and delay, where it has one) follows.
export const DeviceLinkDirectionSchema = LinkDirectionSchema.extend({
  trace: TraceSchema.optional().describe('replay a rate trace instead of a fixed rate; default: inherited, else none'),
}).superRefine((direction, context) => {
  if (direction.rate !== undefined && direction.trace !== undefined) {
    context.issues.push({ code: 'custom', input: direction, path: ['trace'], message: 'expected rate or trace, not both (a trace gives the rate over time)' });
  }
});

// A device's radio (`link.channel`): where it is and how loud it sends; its rates come from bs.channel.
export const RadioSchema = z
  .strictObject({
    distance_m: boundedNumber('a distance to the BS in metres', 0, 100_000, true).optional().describe('distance to the BS in metres (path loss from bs.channel.path_loss); exactly one of distance_m or path_gain_db'),
    path_gain_db: boundedNumber('a path gain in dB', -250, 0).optional().describe('large-scale path gain in dB instead of a distance, e.g. -95'),
    tx_power_dbm: boundedNumber('a transmit power in dBm', -30, 60).optional().describe('device transmit power (uplink) in dBm; default: inherited, else 23'),
  })
  .superRefine((radio, context) => {
    if (radio.distance_m !== undefined && radio.path_gain_db !== undefined) {
      context.issues.push({ code: 'custom', input: radio, path: ['path_gain_db'], message: 'expected exactly one of distance_m or path_gain_db, got both' });
    }
  });

export const LinkSchema = z.strictObject({
  profile: text('a link profile name (profiles/links/<name>.yaml)')
    .optional()
    .describe('link profile to start from, e.g. wifi-20mbit; default: none'),
  uplink: DeviceLinkDirectionSchema.optional().describe('device → BS direction; overrides the profile'),
  downlink: DeviceLinkDirectionSchema.optional().describe('BS → device direction; overrides the profile'),
  channel: RadioSchema.optional().describe('a wireless link: rates from bs.channel and this radio instead of fixed rates; default: inherited, else none'),
});

export const SshSchema = z.strictObject({
  user: text('an ssh user name').optional().describe('ssh user; default: defaults.ssh.user, else the local user'),
  key: text('a private key path').optional().describe('private key path (relative to the YAML file, ~ allowed); default: ssh agent/default keys'),
  port: port.optional().describe('ssh port; default: defaults.ssh.port, else 22'),
  known_hosts: text('a known_hosts file path')
    .optional()
    .describe('known_hosts file deploy verifies host keys against (relative to the YAML file, ~ allowed); default: ~/.ssh/config UserKnownHostsFile, else ~/.ssh/known_hosts'),
});

// Which agent serves a device: the Node agent (onnxruntime-node, CPU) or the Python one (PyTorch on CUDA/CPU).
export const AgentRuntimeSchema = z.enum(['node', 'python'], { error: 'expected an agent runtime: node or python' });
// What the experts must run on (issue 13): auto = whatever the agent picks; cpu / cuda = the agent must
// report that execution provider in WELCOME, or the run fails (a cuda device that fell back to cpu
// passes only with allow_cpu_fallback).
export const ExecutionProviderSchema = z.enum(['auto', 'cpu', 'cuda'], { error: 'expected an execution provider: auto, cpu or cuda' });
const cpuFallback = z.boolean({ error: 'expected true or false' });
// The Python agent's interpreter: a path (on the device in ssh mode) or a command on the PATH. One line:
// it goes into remote shell commands (quoted), where a newline or NUL could never name a file anyway.
const PYTHON_FORMS = 'a python interpreter: a path like ~/venv/bin/python or /usr/bin/python3.8, or a command like python3';
const interpreter = text(PYTHON_FORMS).regex(/^[^\n\r\0]*$/, { error: `expected ${PYTHON_FORMS} on one line` });

export const DeviceSchema = z.strictObject({
  name: z
    .string({ error: 'expected a device name' })
    .regex(DEVICE_NAME, { error: 'expected a device name of letters, digits, ".", "_" or "-"' })
    .describe('unique device name, e.g. jetson-0'),
  host: text('a host name or IP address')
    .optional()
    .describe('address the BS connects to; default: 127.0.0.1 in loopback mode, required in ssh mode'),
  port: port.optional().describe('agent TCP port; default: defaults.port (+ device index in loopback mode)'),
  ssh: SshSchema.optional().describe('ssh login for deploy; default: defaults.ssh'),
  profile: text('a device profile name (profiles/<name>.yaml)').optional().describe('device profile; default: defaults.profile'),
  link: LinkSchema.optional().describe('this device\'s link; default: defaults.link'),
  agent_dir: text('a directory').optional().describe('agent install directory on the device; default: defaults.agent_dir'),
  runtime: AgentRuntimeSchema.optional().describe('agent runtime on this device: node or python (docs/runtime-python.md); default: defaults.runtime'),
  execution_provider: ExecutionProviderSchema.optional().describe('execution provider the experts must run on: auto, cpu or cuda; default: defaults.execution_provider'),
  allow_cpu_fallback: cpuFallback.optional().describe('accept an agent that reports cpu where cuda was asked; default: defaults.allow_cpu_fallback'),
  power_mode: text('an nvpmodel mode name').optional().describe('Jetson power mode (nvpmodel) preflight expects, e.g. MAXN or 15W; default: defaults.power_mode'),
  python: interpreter.optional().describe('runtime python: the interpreter that runs the agent (ssh: a path on the device, relative to the ssh user\'s home; loopback: relative to the YAML file); default: defaults.python, else python3 on the PATH (loopback: $WDMOE_PYTHON first)'),
});

export const DefaultsSchema = z.strictObject({
  link: key(LinkSchema, 'link every device starts from', {}),
  ssh: key(SshSchema, 'ssh login every device starts from', {}),
  agent_dir: key(text('a directory'), 'agent install directory on the devices', '~/.wdmoe'),
  profile: key(text('a device profile name'), 'device profile of devices that name none', 'this-host'),
  port: key(port, 'agent TCP port of devices that name none (loopback adds the device index)', 47100),
  runtime: key(AgentRuntimeSchema, 'agent runtime of devices that name none: node or python', 'node'),
  execution_provider: key(ExecutionProviderSchema, 'execution provider of devices that name none: auto, cpu or cuda', 'auto'),
  allow_cpu_fallback: key(cpuFallback, 'accept an agent that reports cpu where cuda was asked', false),
  power_mode: key(text('an nvpmodel mode name'), 'Jetson power mode (nvpmodel) preflight expects', 'MAXN'),
  python: interpreter.optional().describe('the interpreter of runtime python devices that name none; default: python3 on the PATH (loopback: $WDMOE_PYTHON first)'),
});

export const AuthSchema = z
  .strictObject({
    token: text('a token string').optional().describe('shared token, inline'),
    token_file: text('a file path').optional().describe('file holding the shared token (relative to the YAML file)'),
  })
  .superRefine((auth, context) => {
    const count = Number(auth.token !== undefined) + Number(auth.token_file !== undefined);
    if (count !== 1) {
      context.issues.push({
        code: 'custom',
        input: auth,
        message: `expected exactly one of auth.token or auth.token_file, got ${count === 0 ? 'neither' : 'both'}`,
      });
    }
  });

export const ExpertSpecSchema = z
  .string({ error: `expected an expert like ${EXPERT_SPEC_FORMS}` })
  .regex(EXPERT_SPEC, { error: `expected an expert like ${EXPERT_SPEC_FORMS}` });

export const PlacementSchema = z.union(
  [z.literal('round-robin'), z.record(z.string(), z.array(ExpertSpecSchema, { error: 'expected a list of experts' }))],
  { error: `expected "round-robin" or a map of device name → list of experts (${EXPERT_SPEC_FORMS})` },
);

// The BS's wireless cell (`bs.channel`), PAPERS.md "Wireless channel defaults".
export const CellSchema = z.strictObject({
  bandwidth: key(frequency, 'radio bandwidth of each direction the policy shares among devices, e.g. 20MHz', 20e6),
  downlink_bandwidth: frequency.optional().describe('BS → devices bandwidth; default: bandwidth'),
  uplink_bandwidth: frequency.optional().describe('devices → BS bandwidth; default: bandwidth'),
  tx_power_dbm: key(boundedNumber('a transmit power in dBm', -30, 80), 'BS transmit power (downlink) in dBm', 43),
  noise_psd_dbm_hz: key(boundedNumber('a noise PSD in dBm/Hz', -250, -100), 'thermal noise power spectral density in dBm/Hz', -174),
  noise_figure_db: key(boundedNumber('a noise figure in dB', 0, 40), 'receiver noise figure in dB, added to the noise PSD', 9),
  path_loss: key(
    z.strictObject({
      intercept_db: key(boundedNumber('a path loss intercept in dB', 0, 300), 'path loss at 1 km in dB', 128.1),
      slope_db: key(boundedNumber('a path loss slope in dB per decade', 0, 100, true), 'path loss added per tenfold distance in dB', 37.6),
    }),
    'path loss in dB = intercept_db + slope_db·log10(distance / 1 km)',
    { intercept_db: 128.1, slope_db: 37.6 },
  ),
  shadowing_sigma_db: key(boundedNumber('a shadowing σ in dB', 0, 30), 'log-normal shadowing σ in dB, drawn once per device per seed; 0 = off', 0),
  fading: key(z.enum(['rayleigh', 'none']), 'small-scale fading: rayleigh (|h|² ~ Exp(1) per coherence block, seeded) or none', 'rayleigh'),
  coherence: key(positiveDuration, 'fading block length on the channel clock, e.g. 100ms', 100),
});

export const BsSchema = z.strictObject({
  host: text('a host name or IP address').optional().describe('the BS address; default: 127.0.0.1 (loopback) or 0.0.0.0 (ssh)'),
  bandwidth: key(rate, 'total BS bandwidth the policy shares among devices, e.g. 100mbit', null),
  channel: CellSchema.optional().describe('the wireless cell devices with link.channel use; default: none (fixed-rate links only)'),
  clock: key(
    z.enum(['item', 'wall']),
    'clock fading and traces are read on: item (item i at i × item_interval, every policy of an item alike) or wall (time since the run started)',
    'item',
  ),
  item_interval: key(positiveDuration, 'channel time between two items on the item clock, e.g. 100ms', 100),
});

export const TimeoutsSchema = z.strictObject({
  connect: key(deadline, 'deadline to connect and authenticate to an agent', 5000),
  request: key(deadline, 'deadline for one RUN answer from a device', 30_000),
});

export const TestbedFileSchema = z.strictObject({
  name: text('a testbed name').optional().describe('testbed name; default: the file name without .yaml'),
  mode: key(z.enum(['loopback', 'ssh']), 'loopback: local agent processes; ssh: real devices reached over ssh', 'loopback'),
  model: text('a model bundle directory')
    .optional()
    .describe('model bundle directory (relative to the YAML file); default: the bundled models/tiny-mixtral'),
  auth: AuthSchema.describe('shared auth token: exactly one of token or token_file'),
  shaping: key(
    z.enum(['userspace', 'tc', 'auto']),
    'link shaping: userspace (no root), tc, or auto (tc when root and available, else userspace)',
    'userspace',
  ),
  bs: key(BsSchema, 'the base station', { bandwidth: null, clock: 'item', item_interval: 100 }),
  defaults: key(DefaultsSchema, 'settings every device inherits', {
    link: {}, ssh: {}, agent_dir: '~/.wdmoe', profile: 'this-host', port: 47100, runtime: 'node',
    execution_provider: 'auto', allow_cpu_fallback: false, power_mode: 'MAXN',
  }),
  devices: z
    .array(DeviceSchema, { error: 'expected a list of devices' })
    .min(1, { error: 'expected at least one device' })
    .describe('the expert devices'),
  placement: key(PlacementSchema, 'which device holds which expert; round-robin: expert e of every layer on device e mod D', 'round-robin'),
  replicas: key(
    z.number({ error: 'expected a whole number of replicas from 1 up' }).int({ error: 'expected a whole number of replicas from 1 up' }).min(1, { error: 'expected a whole number of replicas from 1 up' }),
    'with placement round-robin: each expert on this many consecutive devices (e, e+1, … mod D); 1 = no replicas',
    1,
  ),
  timeouts: key(TimeoutsSchema, 'network deadlines', { connect: 5000, request: 30_000 }),
});

// What the user wrote (before defaults and unit parsing).
export type TestbedFile = z.input<typeof TestbedFileSchema>;
// The same after schema parsing: units parsed, schema defaults filled, inheritance not yet resolved.
export type ParsedTestbedFile = z.output<typeof TestbedFileSchema>;
export type ParsedLinkDirection = z.output<typeof LinkDirectionSchema>;
export type ParsedLink = z.output<typeof LinkSchema>;
export type ParsedTrace = z.output<typeof TraceSchema>;
export type ParsedRadio = z.output<typeof RadioSchema>;
export type ParsedCell = z.output<typeof CellSchema>;
