// Renders the testbed that `loopback up --netns` derives from the source testbed: mode ssh, each device
// at its namespace address with the generated client key and known_hosts, shaping tc (the kernel shapes
// the veths: bench must not shape their rates again), the same model, placement, token and timeouts, and
// each device's runtime, python interpreter (the namespaces share this filesystem, so a loopback path is
// the device's path too), execution provider and power mode.
// Rates, delay and jitter are copied (bench adds delay and jitter in userspace, the kernel has no netem);
// loss is copied only when nftables does not drop packets for it (else bench would count it twice).
// Pure. Called by loopback/netns-up.ts.
import { stringify } from 'yaml';
import type { LinkDirection, Testbed } from '../testbed/index.js';

export interface NetnsDevicePlacement {
  readonly name: string;
  readonly address: string;
}

export interface DerivedTestbedInput {
  readonly source: Testbed;
  readonly run: string;
  readonly devices: readonly NetnsDevicePlacement[];
  readonly clientKey: string;
  readonly knownHosts: string;
  readonly tokenFile: string;
  readonly devicesDir: string;
  readonly isLossByNftables: boolean; // loopback up drops packets for loss in each namespace
}

// The derived YAML text, and the devices whose loss nftables applies (left out of the YAML).
export function renderDerivedTestbed(input: DerivedTestbedInput): { yaml: string; nftablesLoss: string[] } {
  const { source } = input;
  const nftablesLoss: string[] = [];
  const placement: Record<string, string[]> = Object.fromEntries(source.devices.map((device) => [device.name, [] as string[]]));
  for (const [key, devices] of source.placement) for (const device of devices) placement[device]!.push(key);
  const devices = source.devices.map((device, index) => {
    const direction = (link: LinkDirection) => {
      const out: Record<string, string | number> = { rate: link.rateBitsPerSec === null ? 'unlimited' : `${Math.round(link.rateBitsPerSec)}bit` };
      if (link.delayMs > 0 || link.jitterMs > 0) Object.assign(out, { delay: `${link.delayMs}ms`, jitter: `${link.jitterMs}ms` });
      if (link.lossRate > 0 && input.isLossByNftables) {
        if (!nftablesLoss.includes(device.name)) nftablesLoss.push(device.name);
      } else if (link.lossRate > 0) {
        out['loss'] = link.lossRate;
      }
      return out;
    };
    return {
      name: device.name,
      host: input.devices[index]!.address,
      port: device.port,
      profile: device.profile,
      ssh: { user: 'root', key: input.clientKey, port: 22, known_hosts: input.knownHosts },
      agent_dir: `${input.devicesDir}/${device.name}`,
      runtime: device.runtime,
      ...(device.python === null ? {} : { python: device.python }),
      execution_provider: device.executionProvider,
      allow_cpu_fallback: device.isCpuFallbackAllowed,
      power_mode: device.powerMode,
      link: { uplink: direction(device.link.uplink), downlink: direction(device.link.downlink) },
    };
  });
  const document = {
    name: `${source.name}-netns`,
    mode: 'ssh',
    model: source.modelDir,
    auth: { token_file: input.tokenFile },
    shaping: 'tc',
    bs: source.bs.bandwidthBitsPerSec === null ? {} : { bandwidth: `${Math.round(source.bs.bandwidthBitsPerSec)}bit` },
    devices,
    placement,
    timeouts: { connect: `${source.timeouts.connectMs}ms`, request: `${source.timeouts.requestMs}ms` },
  };
  const header = [
    `# Written by \`wdmoe loopback up --netns ${source.file}\` (run ${input.run}); removed by \`loopback down --netns\`.`,
    '# Devices are network namespaces with a real sshd; links are shaped by tc on the veths (shaping: tc).',
    '# Delay and jitter (no netem in the tc plan) are added by bench\'s userspace shaper on rate-less links.',
    ...(nftablesLoss.length > 0 ? [`# The source's loss of ${nftablesLoss.join(', ')} is real packet drops by nftables (table wdmoe-loss in each namespace), so it is not listed here.`] : []),
  ];
  return { yaml: `${header.join('\n')}\n${stringify(document, { lineWidth: 0 })}`, nftablesLoss };
}
