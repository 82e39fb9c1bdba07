// Renders the testbed that `loopback up --netns` derives from the source testbed: mode ssh, each device
// at its namespace address with the generated client key and known_hosts, shaping tc (the kernel shapes
// the veths: bench must not shape again), the same model, placement, token and timeouts. Rates are
// copied; delay, jitter and loss only when the kernel has netem (else they are dropped and reported).
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
  readonly hasNetem: boolean;
}

// The derived YAML text, and the devices whose delay/jitter/loss could not be carried over.
export function renderDerivedTestbed(input: DerivedTestbedInput): { yaml: string; droppedDelay: string[] } {
  const { source } = input;
  const droppedDelay: string[] = [];
  const placement: Record<string, string[]> = Object.fromEntries(source.devices.map((device) => [device.name, [] as string[]]));
  for (const [key, devices] of source.placement) for (const device of devices) placement[device]!.push(key);
  const devices = source.devices.map((device, index) => {
    const direction = (link: LinkDirection) => {
      const out: Record<string, string | number> = { rate: link.rateBitsPerSec === null ? 'unlimited' : `${Math.round(link.rateBitsPerSec)}bit` };
      const hasDelay = link.delayMs > 0 || link.jitterMs > 0 || link.lossRate > 0;
      if (hasDelay && !input.hasNetem) {
        if (!droppedDelay.includes(device.name)) droppedDelay.push(device.name);
      } else if (hasDelay) {
        Object.assign(out, { delay: `${link.delayMs}ms`, jitter: `${link.jitterMs}ms`, loss: link.lossRate });
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
    ...(droppedDelay.length > 0 ? [`# This kernel has no netem: the source's delay/jitter/loss of ${droppedDelay.join(', ')} are not emulated here.`] : []),
  ];
  return { yaml: `${header.join('\n')}\n${stringify(document, { lineWidth: 0 })}`, droppedDelay };
}
