// `wdmoe loopback up --netns <testbed>` (root): one network namespace per device, a veth pair into it
// with addresses this tool assigns, a real sshd in it, tc shaping on the host-side veth from the
// testbed's rates and nftables drops for its loss; then a derived ssh testbed (netns-testbed.ts) that deploy/status/bench/teardown use.
// Every object is recorded in the state file the moment it exists; leftovers of an earlier run (crash)
// are removed first; a failure removes what this run made. Called by cli/commands/loopback.ts.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { EXIT_BAD_INPUT, TeardownStack, sleep, writeFileAtomicSync } from '../core/index.js';
import {
  applyTcPlan, describeLinkEmulation, describeTcFeatures, detectTcFeatures, joinPlans, missingForPlan, planNftLoss, planTcShaping, probeNamespaceOf,
  readTcState, resolveLinkEmulation, tcStateFilePath, type TcPlan,
} from '../links/index.js';
import type { DeviceSpec, Testbed } from '../testbed/index.js';
import { LoopbackError } from './errors.js';
import { netnsDown } from './netns-down.js';
import { forceNetnsDownSync, removeDeadProbeNamespaces } from './netns-force-down.js';
import { MAX_NETNS_DEVICES, netnsNamesOf, pickSubnetSlot, type NetnsDeviceNames } from './netns-names.js';
import { generateKey, isOurSshd, startSshd } from './netns-sshd.js';
import { netnsStatePath, readNetnsState, writeNetnsState, type NetnsState } from './netns-state.js';
import { renderDerivedTestbed } from './netns-testbed.js';

export interface NetnsUpOptions {
  readonly testbed: Testbed;
  readonly stateDir: string;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: { kind: 'netns'; device?: string; text: string }) => void;
}

export interface NetnsUpResult {
  readonly derivedTestbed: string;
  readonly stateFile: string;
  readonly run: string;
  readonly tc: string; // what the kernel has, one line
  readonly links: string; // what emulates rate, delay, jitter and loss, one line
  readonly nftablesLoss: readonly string[]; // devices whose loss nftables drops
  readonly devices: ReadonlyArray<{ name: string; netns: string; address: string; veth: string }>;
  readonly staleRemoved: boolean;
  readonly alreadyUp: boolean;
}

const COMMAND_TIMEOUT_MS = 15_000;
const SSHD_READY_MS = 5_000;

// Creates the namespaces, veths, sshds and tc rules, and writes the derived testbed.
export async function netnsUp(options: NetnsUpOptions): Promise<NetnsUpResult> {
  const { testbed } = options;
  if (process.getuid?.() !== 0) {
    throw new LoopbackError('netns-needs-root', 'loopback up --netns needs root (network namespaces, veths, tc, sshd)', { exitCode: EXIT_BAD_INPUT, hint: 'run it as root (sudo), or use `wdmoe loopback up` (local agent processes, no root)' });
  }
  if (testbed.devices.length > MAX_NETNS_DEVICES) {
    throw new LoopbackError('netns-too-many', `testbed ${testbed.file} has ${testbed.devices.length} devices; --netns supports ${MAX_NETNS_DEVICES}`, { exitCode: EXIT_BAD_INPUT });
  }
  const stateFile = netnsStatePath(options.stateDir, testbed.file, testbed.name);
  const stale = await readNetnsState(stateFile);
  if (stale !== undefined && (await isIntact(stale, testbed))) return reuse(stale, stateFile, testbed, options.signal);
  if (stale !== undefined) {
    options.onEvent?.({ kind: 'netns', text: `removing what run ${stale.run} left behind` });
    await netnsDown({ stateFile });
  }
  await removeDeadProbeNamespaces();
  // A forced exit mid-probe still removes the probe's namespace.
  const probe = new TeardownStack();
  probe.defer('tc probe namespace', () => undefined, { onExit: () => void spawnSync('ip', ['netns', 'del', probeNamespaceOf(process.pid)], { timeout: 2000, stdio: 'ignore' }) });
  const features = await detectTcFeatures({ signal: options.signal }).finally(() => probe.dispose());
  const missing = missingForPlan(features);
  if (missing.length > 0) {
    throw new LoopbackError('netns-tc-missing', `this kernel lacks ${missing.join(', ')}, which link shaping needs (${describeTcFeatures(features)})`, { hint: 'use `wdmoe loopback up` with `shaping: userspace` instead' });
  }
  const emulation = resolveLinkEmulation(features);
  const isLossByNftables = emulation.loss === 'nftables';
  const run = randomBytes(2).toString('hex');
  const dir = path.join(options.stateDir, 'netns', run);
  const derivedTestbed = path.join(dir, 'testbed.yaml');
  const state: NetnsState = {
    formatVersion: 1, testbed: path.resolve(testbed.file), run, dir, derivedTestbed,
    tcStateFile: tcStateFilePath(options.stateDir, derivedTestbed), namespaces: [], veths: [], sshd: [], sourceDigest: sourceDigestOf(testbed),
    isLossByNftables,
  };
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeNetnsState(stateFile, state);
  // Until everything is up: an error or Ctrl-C removes what the state file lists; an exit meanwhile (a
  // second Ctrl-C) does so synchronously.
  const teardown = new TeardownStack();
  teardown.defer(`netns run ${run}`, async () => void (await netnsDown({ stateFile })), { onExit: () => void forceNetnsDownSync(stateFile) });
  try {
    const slot = pickSubnetSlot(run, (await ip(['-4', '-o', 'addr', 'show'])).stdout);
    const clientKey = path.join(dir, 'client_key');
    writeFileAtomicSync(path.join(dir, 'authorized_keys'), `${await generateKey(clientKey, `wdmoe-${run}-client`)}\n`, { mode: 0o600 });
    const knownHosts: string[] = [];
    const names: NetnsDeviceNames[] = [];
    for (const [index, device] of testbed.devices.entries()) {
      options.signal?.throwIfAborted();
      const n = netnsNamesOf(run, slot, index);
      names.push(n);
      state.namespaces.push(n.netns);
      await writeNetnsState(stateFile, state);
      await ip(['netns', 'add', n.netns]);
      state.veths.push(n.hostVeth);
      await writeNetnsState(stateFile, state);
      await ip(['link', 'add', n.hostVeth, 'type', 'veth', 'peer', 'name', n.deviceVeth, 'netns', n.netns]);
      await ip(['addr', 'add', `${n.hostAddress}/30`, 'dev', n.hostVeth]);
      await ip(['link', 'set', n.hostVeth, 'up']);
      await ip(['-n', n.netns, 'addr', 'add', `${n.deviceAddress}/30`, 'dev', n.deviceVeth]);
      await ip(['-n', n.netns, 'link', 'set', n.deviceVeth, 'up']);
      // One TCP segment per packet on both ends: htb charges a GSO packet whole and lets it go at once
      // after idle (a 20 KB RUN then left at line rate, the debt paid while nothing was sent), and an
      // nftables drop must cost one wire packet, not a 64 KB burst. The rates here are tens of mbit.
      await ip(['link', 'set', 'dev', n.hostVeth, 'gso_max_segs', '1']);
      await ip(['-n', n.netns, 'link', 'set', 'dev', n.deviceVeth, 'gso_max_segs', '1']);
      await ip(['-n', n.netns, 'link', 'set', 'lo', 'up']);
      const hostKey = path.join(dir, `host_key-${device.name}`);
      const hostPublic = await generateKey(hostKey, `wdmoe-${run}-${device.name}`);
      knownHosts.push(`${n.deviceAddress} ${hostPublic.split(' ').slice(0, 2).join(' ')}`);
      const sshd = await startSshd({ device: device.name, netns: n.netns, address: n.deviceAddress, dir, hostKey, authorizedKeys: path.join(dir, 'authorized_keys') });
      state.sshd.push({ device: device.name, netns: n.netns, pid: sshd.pid, config: sshd.config });
      (state.devices ??= []).push({ name: device.name, netns: n.netns, hostVeth: n.hostVeth, ifb: n.ifb, address: n.deviceAddress });
      await writeNetnsState(stateFile, state);
      await applyTcPlan(planDeviceShaping(device, n, isLossByNftables), { stateFile: state.tcStateFile, signal: options.signal });
      options.onEvent?.({ kind: 'netns', device: device.name, text: `${n.netns} ${n.deviceAddress} via ${n.hostVeth}, sshd pid ${sshd.pid}, tc ${rateText(device.link.downlink.rateBitsPerSec)} down / ${rateText(device.link.uplink.rateBitsPerSec)} up` });
    }
    writeFileAtomicSync(path.join(dir, 'known_hosts'), `${knownHosts.join('\n')}\n`, { mode: 0o600 });
    writeFileAtomicSync(path.join(dir, 'token'), `${testbed.auth.token}\n`, { mode: 0o600 });
    const { yaml, nftablesLoss } = renderDerivedTestbed({
      source: testbed, run, devices: names.map((n, index) => ({ name: testbed.devices[index]!.name, address: n.deviceAddress })),
      clientKey, knownHosts: path.join(dir, 'known_hosts'), tokenFile: path.join(dir, 'token'), devicesDir: path.join(dir, 'devices'), isLossByNftables,
    });
    writeFileAtomicSync(derivedTestbed, yaml, { mode: 0o600 });
    await Promise.all(names.map((n) => waitForPort(n.deviceAddress, 22, SSHD_READY_MS, dir, options.signal)));
    teardown.release(); // up: the objects now belong to the state file (`loopback down --netns`)
    return {
      derivedTestbed, stateFile, run, tc: describeTcFeatures(features), links: describeLinkEmulation(emulation), nftablesLoss, staleRemoved: stale !== undefined, alreadyUp: false,
      devices: names.map((n, index) => ({ name: testbed.devices[index]!.name, netns: n.netns, address: n.deviceAddress, veth: n.hostVeth })),
    };
  } catch (error) {
    await teardown.dispose();
    throw error;
  }
}

// The plan for one device: htb on its host-side veth, and nftables drops for its loss inside its namespace.
function planDeviceShaping(device: DeviceSpec, names: { hostVeth: string; ifb: string; deviceAddress: string; netns: string }, isLossByNftables: boolean): TcPlan {
  const rates = planTcShaping({
    interface: names.hostVeth,
    ifb: names.ifb,
    devices: [{ name: device.name, address: names.deviceAddress, agentPort: device.port, downlinkBitsPerSec: device.link.downlink.rateBitsPerSec, uplinkBitsPerSec: device.link.uplink.rateBitsPerSec }],
  });
  if (!isLossByNftables) return rates;
  return joinPlans(rates, planNftLoss({ netns: names.netns, agentPort: device.port, downlinkLossRate: device.link.downlink.lossRate, uplinkLossRate: device.link.uplink.lossRate }));
}

// An earlier `up` for this testbed is still whole: same devices, every sshd alive, every namespace there.
async function isIntact(state: NetnsState, testbed: Testbed): Promise<boolean> {
  if (state.devices === undefined || state.sourceDigest !== sourceDigestOf(testbed)) return false;
  if (!state.sshd.every((sshd) => isOurSshd(sshd.pid, sshd.config))) return false;
  const listed = (await ip(['netns', 'list'])).stdout;
  return state.namespaces.every((netns) => new RegExp(`^${netns}\\b`, 'm').test(listed)) && (await readFile(state.derivedTestbed).then(() => true, () => false));
}

// What the derived testbed depends on; a changed source testbed makes `up` rebuild.
function sourceDigestOf(testbed: Testbed): string {
  const devices = testbed.devices.map((device) => ({ name: device.name, port: device.port, profile: device.profile, link: device.link }));
  const token = createHash('sha256').update(`wdmoe-netns\0${testbed.auth.token}`).digest('hex');
  return createHash('sha256').update(JSON.stringify({ devices, placement: [...testbed.placement], model: testbed.modelDir, token, timeouts: testbed.timeouts, bs: testbed.bs })).digest('hex');
}

// Keeps a whole earlier `up` (deployed agents keep running); re-applies tc if a teardown removed it.
async function reuse(state: NetnsState, stateFile: string, testbed: Testbed, signal?: AbortSignal): Promise<NetnsUpResult> {
  if ((await readTcState(state.tcStateFile)) === undefined) {
    for (const [index, device] of state.devices!.entries()) {
      const names = { hostVeth: device.hostVeth, ifb: device.ifb, deviceAddress: device.address, netns: device.netns };
      await applyTcPlan(planDeviceShaping(testbed.devices[index]!, names, state.isLossByNftables === true), { stateFile: state.tcStateFile, signal });
    }
  }
  const isLossByNftables = state.isLossByNftables === true;
  return {
    derivedTestbed: state.derivedTestbed, stateFile, run: state.run, tc: 'tc: as set up by the earlier run', staleRemoved: false, alreadyUp: true,
    links: describeLinkEmulation({ rate: 'htb', delay: 'userspace', jitter: 'userspace', loss: isLossByNftables ? 'nftables' : 'userspace' }),
    nftablesLoss: isLossByNftables ? testbed.devices.filter((d) => d.link.downlink.lossRate > 0 || d.link.uplink.lossRate > 0).map((d) => d.name) : [],
    devices: state.devices!.map((device) => ({ name: device.name, netns: device.netns, address: device.address, veth: device.hostVeth })),
  };
}

async function ip(args: string[]): Promise<{ stdout: string }> {
  const result = await execa('ip', args, { reject: false, timeout: COMMAND_TIMEOUT_MS, stdin: 'ignore' });
  if (result.exitCode !== 0) {
    throw new LoopbackError('netns-ip-failed', `ip ${args.join(' ')} failed: ${String(result.stderr).trim() || `exit ${result.exitCode}`}`, { hint: 'run as root on a kernel with network namespaces and veth (iproute2 installed)' });
  }
  return { stdout: String(result.stdout) };
}

// Resolves once something accepts TCP connections on address:port (bounded).
async function waitForPort(address: string, port: number, timeoutMs: number, logDir: string, signal?: AbortSignal): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const isOpen = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: address, port, timeout: 500 });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (isOpen) return;
    await sleep(50, signal);
  }
  throw new LoopbackError('netns-sshd-unreachable', `sshd at ${address}:${port} did not accept connections within ${timeoutMs} ms`, { hint: `see the sshd logs in ${logDir}` });
}

function rateText(bitsPerSec: number | null): string {
  return bitsPerSec === null ? 'unlimited' : `${bitsPerSec / 1e6} mbit`;
}

// The derived testbed of a running netns loopback, if there is one for this source testbed.
export async function netnsDerivedTestbed(stateDir: string, testbed: Testbed): Promise<string | undefined> {
  const state = await readNetnsState(netnsStatePath(stateDir, testbed.file, testbed.name));
  if (state === undefined) return undefined;
  return readFile(state.derivedTestbed).then(() => state.derivedTestbed, () => undefined);
}
