// Names and addresses of what `loopback up --netns` creates, Mininet style, all with a wdmoe prefix:
// namespace `wdmoe-<run>-<idx>`, host-side veth `wd<run>h<idx>` (its peer is `wd<idx>` inside the
// namespace), ifb `wd<run>i<idx>`; device idx gets 10.213.<slot>.(4·idx+2)/30, the host side .(4·idx+1).
// Pure. Called by loopback/netns-up.ts.

export interface NetnsDeviceNames {
  readonly index: number;
  readonly netns: string;
  readonly hostVeth: string;
  readonly deviceVeth: string;
  readonly ifb: string;
  readonly hostAddress: string;
  readonly deviceAddress: string;
}

// Devices per run: 64 /30 blocks fill one /24.
export const MAX_NETNS_DEVICES = 64;
const SUBNET_PREFIX = '10.213';

// The names and addresses of device `index` in run `run` (4 hex digits) using /24 `slot`.
export function netnsNamesOf(run: string, slot: number, index: number): NetnsDeviceNames {
  return {
    index,
    netns: `wdmoe-${run}-${index}`,
    hostVeth: `wd${run}h${index}`,
    deviceVeth: `wd${index}`,
    ifb: `wd${run}i${index}`,
    hostAddress: `${SUBNET_PREFIX}.${slot}.${4 * index + 1}`,
    deviceAddress: `${SUBNET_PREFIX}.${slot}.${4 * index + 2}`,
  };
}

// The first /24 slot, starting from a run-derived one, that no address on this host uses yet.
export function pickSubnetSlot(run: string, addressesInUse: string): number {
  const start = Number.parseInt(run, 16) % 256;
  for (let offset = 0; offset < 256; offset++) {
    const slot = (start + offset) % 256;
    if (!addressesInUse.includes(`${SUBNET_PREFIX}.${slot}.`)) return slot;
  }
  throw new Error(`every ${SUBNET_PREFIX}.x.0/24 is in use on this host`);
}
