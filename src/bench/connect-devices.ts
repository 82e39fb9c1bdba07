// Builds what the forward pass needs to reach the experts: one channel per device (a transport
// client behind userspace-shaped links, or the in-process local channel), each device's compute model
// for the policies, the link states over time (channel, traces or fixed rates; unlimited when shaping is
// off), and for every layer and expert the devices holding it. Each device carries its health: one marked
// down (bs/layer-failover.ts) is closed and reconnected in the background with backoff, then marked up
// (device-down / device-reconnected events). Called by bench/run.ts.
import { EXIT_BAD_INPUT, WdmoeError, type TeardownStack } from '../core/index.js';
import { DeviceHealth, createLocalChannel, type BsDevice, type DeviceChannel } from '../bs/index.js';
import { createLinkStates, type DeviceLinkState } from '../channel/index.js';
import { createShaper, type LinkDirection, type LinkShaper, type ShaperName } from '../links/index.js';
import { ensureLoopbackAgents, expertsOfDevice } from '../loopback/index.js';
import { loadExpertCompute } from '../model/index.js';
import { UNLIMITED_LINK } from '../policy/index.js';
import type { Testbed } from '../testbed/index.js';
import { DeviceClient } from '../transport/index.js';
import { reconnectWithBackoff } from './reconnect-device.js';
import { checkExecutionProvider, type DeviceProbe } from './device-probe.js';

export type Placement = 'testbed' | 'local';
export type ShapingChoice = 'testbed' | 'none';

export interface ConnectedDevices {
  devices: BsDevice[]; // in testbed order: name, compute model, channel
  // Every device's link states at channel time `timeMs` (static for fixed links).
  linkStatesAt: (timeMs: number) => readonly DeviceLinkState[];
  isTimeVarying: boolean; // linkStatesAt changes with time (channel/link-states.ts)
  expertDevices: number[][][]; // [layer][expert] → device indices
  shaping: ShaperName | 'local';
  agentsStarted: boolean;
  probes: DeviceProbe[]; // one per connected agent (none for --placement local): runtime info, STATS telemetry
}

// What connecting reports: an agent started (loopback), a device connected, down or back, or a warning (a crashed run's agents removed).
export type ConnectEvent =
  | { kind: 'agent-started'; device: string; pid: number; port: number }
  | { kind: 'device-connected'; device: string; experts: number }
  | { kind: 'device-down'; device: string; layer: number; failure: string; reason: string }
  | { kind: 'device-reconnected'; device: string; attempts: number; downMs: number }
  | { kind: 'warning'; message: string };

export interface ConnectOptions {
  testbed: Testbed;
  placement: Placement;
  shaping: ShapingChoice;
  seed: number;
  runDir: string;
  stateDir: string;
  intraOpThreads: number;
  teardown: TeardownStack;
  signal?: AbortSignal;
  onEvent?: (event: ConnectEvent) => void;
}

const UNLIMITED: DeviceLinkState = Object.freeze({ downlink: UNLIMITED_LINK, uplink: UNLIMITED_LINK });

// The shaper the testbed asks for, as this build can provide it.
export function resolveShaping(testbed: Testbed, choice: ShapingChoice): ShaperName {
  if (choice === 'none') return 'none';
  if (testbed.shaping !== 'tc') return 'userspace';
  // tc: the kernel shapes the links (`loopback up --netns` puts htb on the veths); shaping again here would
  // count every byte twice. Loopback agents on 127.0.0.1 sit behind no shaped interface.
  if (testbed.mode === 'loopback') {
    throw new WdmoeError('shaping-tc-loopback', `testbed ${testbed.file}: shaping "tc" needs devices behind tc-shaped interfaces; loopback agents on 127.0.0.1 are not`, {
      exitCode: EXIT_BAD_INPUT,
      hint: 'run `wdmoe loopback up --netns <testbed>` (root) and bench the ssh testbed it prints, or use `shaping: userspace`',
    });
  }
  return 'none';
}

const host = (device: { host: string; port: number }) => `${device.host}:${device.port}`;

// Under tc the kernel sets the rates (htb) and, where the tool shaped the interface, drops packets for
// loss (nftables); what the kernel cannot do without netem, delay and jitter (and loss the testbed still
// lists), the userspace shaper adds on a rate-less copy of the link. Nothing to add: the 'none' shaper.
export function createKernelCompanionShaper(link: LinkDirection, seed: number): LinkShaper {
  const needsUserspace = link.delayMs > 0 || link.jitterMs > 0 || link.lossRate > 0;
  return createShaper(needsUserspace ? 'userspace' : 'none', { ...link, rateBitsPerSec: null }, seed);
}

// The kernel holds the rate under tc: a transfer keeps only its delay in force, never a userspace rate.
type ChannelRunOptions = Parameters<DeviceChannel['run']>[1];
function withoutRates(options: ChannelRunOptions): ChannelRunOptions {
  if (options.link === undefined) return options;
  const strip = (inForce: { delayMs?: number } | undefined) => (inForce === undefined ? undefined : { rateBitsPerSec: null, delayMs: inForce.delayMs });
  return { ...options, link: { downlink: strip(options.link.downlink), uplink: strip(options.link.uplink) } };
}

// The agent at a device's address must be that device and hold every expert the placement gives it:
// a swapped address or an agent started with other --experts is caught before any item runs.
export function assertAgentServes(info: { device: string; experts: readonly string[] }, device: string, address: string, experts: readonly string[]): void {
  if (info.device !== device) {
    throw new WdmoeError('device-mismatch', `device ${device}: the agent at ${address} says it is "${info.device}"`, {
      hint: 'check the device addresses in the testbed (two swapped?), or the --device the agent was started with',
    });
  }
  const held = new Set(info.experts);
  const missing = experts.filter((key) => !held.has(key));
  if (missing.length > 0) {
    throw new WdmoeError('device-missing-experts', `device ${device}: the agent does not hold expert(s) ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', …' : ''} that the placement gives it`, {
      hint: 'restart the agent with the experts of the testbed\'s placement (wdmoe validate <testbed> lists them per device)',
    });
  }
}

// Connects to (and for loopback testbeds, starts) every device, or loads every expert locally.
export async function connectDevices(options: ConnectOptions): Promise<ConnectedDevices> {
  const { testbed } = options;
  const { numLayers, numExperts } = testbed.model;
  if (options.placement === 'local') {
    const compute = await loadExpertCompute(testbed.modelDir, 'all', { intraOpThreads: options.intraOpThreads });
    options.teardown.defer('local experts', () => compute.release());
    return {
      devices: [{ name: 'local', compute: { fixedMs: 0, perTokenMs: 0 }, channel: createLocalChannel('local', compute), health: new DeviceHealth('local') }],
      linkStatesAt: () => [UNLIMITED],
      isTimeVarying: false,
      expertDevices: Array.from({ length: numLayers }, () => Array.from({ length: numExperts }, () => [0])),
      shaping: 'local',
      agentsStarted: false,
      probes: [],
    };
  }
  const shaping = resolveShaping(testbed, options.shaping);
  let agentsStarted = false;
  if (testbed.mode === 'loopback') {
    const agents = await ensureLoopbackAgents({ testbed, stateDir: options.stateDir, runDir: options.runDir, teardown: options.teardown, signal: options.signal, onEvent: options.onEvent });
    agentsStarted = agents.started;
  }
  const isCpuFallback: boolean[] = [];
  const isKernelShaped = testbed.shaping === 'tc';
  const shaperOf = (link: LinkDirection, seed: number) =>
    isKernelShaped && options.shaping !== 'none' ? createKernelCompanionShaper(link, seed) : createShaper(shaping, link, seed);
  const connectTo = async (device: Testbed['devices'][number], index: number, signal: AbortSignal | undefined) => {
    const client = await DeviceClient.connect({
      device: device.name,
      host: device.host,
      port: device.port,
      token: testbed.auth.token,
      downlink: shaperOf(device.link.downlink, options.seed * 1000 + index * 2),
      uplink: shaperOf(device.link.uplink, options.seed * 1000 + index * 2 + 1),
      isTimedOnWire: isKernelShaped,
      connectTimeoutMs: testbed.timeouts.connectMs,
      signal,
    });
    try {
      assertAgentServes(client.info, device.name, host(device), expertsOfDevice(testbed, device.name));
      isCpuFallback[index] = checkExecutionProvider(device, client.info.runtime).isCpuFallback;
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  };
  // The client in use per device: a device marked down is closed and reconnected in the background
  // (reconnect-device.ts); the new client takes its place and the device is marked up again.
  const current: DeviceClient[] = [];
  await Promise.all(
    testbed.devices.map(async (device, index) => {
      const client = await connectTo(device, index, options.signal);
      current[index] = client;
      options.teardown.defer(`connection to ${device.name}`, () => current[index]!.close());
      options.onEvent?.({ kind: 'device-connected', device: device.name, experts: client.info.experts.length });
    }),
  );
  const stopReconnecting = new AbortController();
  options.teardown.defer('device reconnection', () => stopReconnecting.abort());
  const reconnectSignal = options.signal === undefined ? stopReconnecting.signal : AbortSignal.any([stopReconnecting.signal, options.signal]);
  const watch = (health: DeviceHealth, device: Testbed['devices'][number], index: number) => health.onChange((change) => {
    if (change.kind === 'up') {
      options.onEvent?.({ kind: 'device-reconnected', device: device.name, attempts: change.attempts, downMs: change.downMs });
      return;
    }
    options.onEvent?.({ kind: 'device-down', device: device.name, layer: change.down.layer, failure: change.down.failure, reason: change.down.reason });
    void current[index]!.close({ timeoutMs: 200 });
    void reconnectWithBackoff((signal) => connectTo(device, index, signal), { signal: reconnectSignal, discard: (client) => void client.close() }).then((outcome) => {
      if (outcome === null) return;
      current[index] = outcome.value;
      health.markUp(outcome.attempts);
    });
  });
  const indexOf = new Map(testbed.devices.map((device, index) => [device.name as string, index]));
  const expertDevices = Array.from({ length: numLayers }, (_, layer) =>
    Array.from({ length: numExperts }, (_, expert) => (testbed.placement.get(`${layer}.${expert}`) ?? []).map((name) => indexOf.get(name)!)),
  );
  const devices: BsDevice[] = testbed.devices.map((device, index) => {
    const profile = testbed.profiles.get(device.profile);
    const health = new DeviceHealth(device.name);
    watch(health, device, index);
    return {
      name: device.name,
      compute: { fixedMs: profile?.computeModel.fixedMs ?? 0, perTokenMs: profile?.computeModel.perTokenMs ?? 0 },
      channel: { name: device.name, run: isKernelShaped ? (request, runOptions) => current[index]!.run(request, withoutRates(runOptions)) : (request, runOptions) => current[index]!.run(request, runOptions) },
      health,
    };
  });
  // The policy's view of each link is the link as it really is: unlimited when shaping is off (--shaping none);
  // under tc the kernel shapes the rates, so the policies still see the testbed's link states.
  const unshaped = testbed.devices.map(() => UNLIMITED);
  const states = options.shaping === 'none' ? null : createLinkStates(testbed, { seed: options.seed });
  const linkStatesAt = (timeMs: number) => (states === null ? unshaped : states.at(timeMs));
  // Probes read the client in use now (a reconnected device answers through its new client).
  const probes: DeviceProbe[] = testbed.devices.map((device, index) => ({
    spec: device,
    runtime: current[index]!.info.runtime,
    isCpuFallback: isCpuFallback[index] ?? false,
    telemetry: async (probeOptions) => (await current[index]!.stats(probeOptions)).telemetry,
  }));
  return { devices, linkStatesAt, isTimeVarying: states?.isTimeVarying ?? false, expertDevices, shaping, agentsStarted, probes };
}
