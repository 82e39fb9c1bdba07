// `wdmoe profile <testbed>`: measures, on every device of a running testbed (loopback agents are started as
// bench does), the expert compute time against the number of token rows — fitted as fixed + per_token with its
// residual, pooled over the devices that share a profile — and checks each link against the model; writes
// one measured profile per device kind that bench's policies (and sim) then read. Owns its teardown stack.
import { hostname } from 'node:os';
import path from 'node:path';
import { TeardownStack } from '../core/index.js';
import { loadManifest } from '../model/index.js';
import { assertValidTestbed, formatIssue } from '../testbed/index.js';
import { connectDevices, type ConnectEvent } from './connect-devices.js';
import { fitComputeModel, type ComputeFit, type ComputeSample } from './profile-fit.js';
import { measureCompute } from './profile-compute.js';
import { checkLinks, type LinkCheck } from './profile-links.js';
import { writeProfile } from './profile-write.js';

export interface ProfileOptions {
  readonly testbedPath: string;
  readonly outDir: string | null; // null = <testbed dir>/profiles (searched before the bundled profiles)
  readonly write: boolean; // false: measure and print only
  readonly tokens: readonly number[];
  readonly repeats: number;
  readonly seed: number;
  readonly stateDir: string;
  readonly tool: string;
}

export type ProfileEvent =
  | ConnectEvent
  | { kind: 'device-profiled'; device: string; fixedMs: number; perTokenMs: number }
  | { kind: 'warning'; message: string };

export interface ProfileResult {
  profiles: { name: string; devices: string[]; fit: ComputeFit; samples: { device: string; samples: ComputeSample[] }[]; file: string | null; previous: { fixedMs: number; perTokenMs: number; isEstimate: boolean } | null }[];
  links: LinkCheck[];
}

export const LINK_TOLERANCE = 0.05;

// Measures the testbed's devices and links; writes the profiles unless `write` is false.
export async function runProfile(options: ProfileOptions, context: { signal?: AbortSignal; onEvent?: (event: ProfileEvent) => void }): Promise<ProfileResult> {
  const emit = context.onEvent ?? (() => undefined);
  const { testbed, warnings } = await assertValidTestbed(options.testbedPath);
  for (const warning of warnings) emit({ kind: 'warning', message: formatIssue(warning) });
  const hidden = (await loadManifest(testbed.modelDir)).manifest.architecture.hiddenSize;
  const teardown = new TeardownStack();
  try {
    const connected = await connectDevices({ testbed, placement: 'testbed', shaping: 'testbed', seed: options.seed, runDir: path.resolve(options.stateDir), stateDir: options.stateDir, intraOpThreads: 1, teardown, signal: context.signal, onEvent: emit });
    // An expert each device holds, to time and to check the links with.
    const probeOf = (device: number) => {
      for (const [layer, experts] of connected.expertDevices.entries()) {
        const expert = experts.findIndex((holders) => holders.includes(device));
        if (expert >= 0) return { layer, expert };
      }
      return null;
    };
    const measured = new Map<string, { device: string; samples: ComputeSample[] }[]>();
    // One device at a time: in loopback the agents share this machine's cores.
    for (const [index, device] of testbed.devices.entries()) {
      const probe = probeOf(index);
      if (probe === null) continue;
      const samples = await measureCompute(connected.devices[index]!.channel, probe, { hidden, tokens: options.tokens, repeats: options.repeats, warmup: 2, deadlineMs: testbed.timeouts.requestMs, signal: context.signal });
      const fit = fitComputeModel(samples);
      emit({ kind: 'device-profiled', device: device.name, fixedMs: fit.fixedMs, perTokenMs: fit.perTokenMs });
      measured.set(device.profile, [...(measured.get(device.profile) ?? []), { device: device.name, samples }]);
    }
    const links = await checkLinks(connected.devices.map((device) => device.channel), connected.linkStatesAt(0), {
      hidden, layer: 0, expertOf: (d) => Math.max(0, connected.expertDevices[0]!.findIndex((holders) => holders.includes(d))),
      repeats: options.repeats, tolerance: LINK_TOLERANCE, deadlineMs: testbed.timeouts.requestMs, signal: context.signal,
    });
    for (const check of links.filter((c) => c.isOff)) emit({ kind: 'warning', message: describeOffLink(check) });
    const outDir = options.outDir ?? path.join(path.dirname(testbed.file), 'profiles');
    const profiles = [...measured].map(([name, perDevice]) => {
      const fit = fitComputeModel(perDevice.flatMap((d) => d.samples));
      const base = testbed.profiles.get(name);
      const file = options.write
        ? writeProfile(outDir, { name, base, fit, samples: perDevice, model: path.basename(testbed.modelDir), host: hostname(), tool: options.tool, links: links.filter((l) => perDevice.some((d) => d.device === l.device)) })
        : null;
      return { name, devices: perDevice.map((d) => d.device), fit, samples: perDevice, file,
        previous: base === undefined ? null : { ...base.computeModel, isEstimate: base.isEstimate } };
    });
    return { profiles, links };
  } finally {
    const failures = await teardown.dispose();
    for (const failure of failures) emit({ kind: 'warning', message: `cleanup of ${failure.label} failed: ${(failure.error as Error).message}` });
  }
}

// "device dev-3: link round trip 23.1 ms, the testbed's links say 20.0 ms (+15.5%, over 5%)".
export function describeOffLink(check: LinkCheck): string {
  const sign = check.error >= 0 ? '+' : '';
  return `device ${check.device}: link round trip of ${check.rows} rows took ${check.measuredMs.toFixed(1)} ms, the testbed's links say ${check.expectedMs.toFixed(1)} ms (${sign}${(check.error * 100).toFixed(1)}%, over ${LINK_TOLERANCE * 100}%)`;
}
