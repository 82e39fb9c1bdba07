// Builds what the forward pass needs to reach the experts: one channel per device (a transport
// client behind userspace-shaped links, or the in-process local channel), each device's compute model
// for the policies, the link states over time (channel, traces or fixed rates; unlimited when shaping is
// off), and for every layer and expert the devices holding it. Called by bench/run.ts.
import { EXIT_BAD_INPUT, WdmoeError, type TeardownStack } from '../core/index.js';
import { createLocalChannel, type DeviceChannel } from '../bs/index.js';
import { createLinkStates, type DeviceLinkState } from '../channel/index.js';
import { createShaper, type ShaperName } from '../links/index.js';
import { ensureLoopbackAgents, expertsOfDevice } from '../loopback/index.js';
import { loadExpertCompute } from '../model/index.js';
import { UNLIMITED_LINK, type EstimateSource } from '../policy/index.js';
import type { Testbed } from '../testbed/index.js';
import { DeviceClient } from '../transport/index.js';

export type Placement = 'testbed' | 'local';
export type ShapingChoice = 'testbed' | 'none';

export interface ConnectedDevices {
  devices: EstimateSource[];
  // Every device's link states at channel time `timeMs` (static for fixed links).
  linkStatesAt: (timeMs: number) => readonly DeviceLinkState[];
  isTimeVarying: boolean; // linkStatesAt changes with time (channel/link-states.ts)
  channels: DeviceChannel[];
  expertDevices: number[][][]; // [layer][expert] → device indices
  shaping: ShaperName | 'local';
  agentsStarted: boolean;
}

// What connecting reports: an agent started (loopback) or a device connected.
export type ConnectEvent =
  | { kind: 'agent-started'; device: string; pid: number; port: number }
  | { kind: 'device-connected'; device: string; experts: number };

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
      devices: [{ name: 'local', compute: { fixedMs: 0, perTokenMs: 0 } }],
      linkStatesAt: () => [UNLIMITED],
      isTimeVarying: false,
      channels: [createLocalChannel('local', compute)],
      expertDevices: Array.from({ length: numLayers }, () => Array.from({ length: numExperts }, () => [0])),
      shaping: 'local',
      agentsStarted: false,
    };
  }
  const shaping = resolveShaping(testbed, options.shaping);
  let agentsStarted = false;
  if (testbed.mode === 'loopback') {
    const agents = await ensureLoopbackAgents({ testbed, stateDir: options.stateDir, runDir: options.runDir, teardown: options.teardown, signal: options.signal, onEvent: options.onEvent });
    agentsStarted = agents.started;
  }
  const clients = await Promise.all(
    testbed.devices.map(async (device, index) => {
      const client = await DeviceClient.connect({
        device: device.name,
        host: device.host,
        port: device.port,
        token: testbed.auth.token,
        downlink: createShaper(shaping, device.link.downlink, options.seed * 1000 + index * 2),
        uplink: createShaper(shaping, device.link.uplink, options.seed * 1000 + index * 2 + 1),
        connectTimeoutMs: testbed.timeouts.connectMs,
        signal: options.signal,
      });
      options.teardown.defer(`connection to ${device.name}`, () => client.close());
      assertAgentServes(client.info, device.name, host(device), expertsOfDevice(testbed, device.name));
      options.onEvent?.({ kind: 'device-connected', device: device.name, experts: client.info.experts.length });
      return client;
    }),
  );
  const indexOf = new Map(testbed.devices.map((device, index) => [device.name as string, index]));
  const expertDevices = Array.from({ length: numLayers }, (_, layer) =>
    Array.from({ length: numExperts }, (_, expert) => (testbed.placement.get(`${layer}.${expert}`) ?? []).map((name) => indexOf.get(name)!)),
  );
  const devices: EstimateSource[] = testbed.devices.map((device) => {
    const profile = testbed.profiles.get(device.profile);
    return { name: device.name, compute: { fixedMs: profile?.computeModel.fixedMs ?? 0, perTokenMs: profile?.computeModel.perTokenMs ?? 0 } };
  });
  // The policy's view of each link is the link as it really is: unlimited when shaping is off (--shaping none);
  // under tc the kernel shapes the rates, so the policies still see the testbed's link states.
  const unshaped = testbed.devices.map(() => UNLIMITED);
  const states = options.shaping === 'none' ? null : createLinkStates(testbed, { seed: options.seed });
  const linkStatesAt = (timeMs: number) => (states === null ? unshaped : states.at(timeMs));
  const channels: DeviceChannel[] = clients.map((client, index) => ({
    name: testbed.devices[index]!.name,
    run: (request, runOptions) => client.run(request, runOptions),
  }));
  return { devices, linkStatesAt, isTimeVarying: states?.isTimeVarying ?? false, channels, expertDevices, shaping, agentsStarted };
}
