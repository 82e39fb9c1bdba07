// Plans kernel shaping of one interface and returns the `ip`/`tc` argument arrays; runs nothing
// (Mininet TCIntf.bwCmds: build first, apply second — tc-apply.ts applies). Called by loopback's netns
// setup and by tests that pin the arrays. Pure: no execa, no fs.
//
// Shape: egress (BS → device, downlink) is an htb root on the interface with one class per device,
// chosen by a u32 filter on the device's address and agent port. Ingress (device → BS, uplink) is
// redirected by a u32 + mirred filter to an ifb, whose htb root has one class per device the same
// way. Unclassified traffic (ssh, ARP) takes htb's direct path: deploy is not slowed by the link.
// Delay, jitter and loss need netem, which this kernel lacks: no netem is planned. Loss is dropped by
// nftables (nft-loss-plan.ts), delay and jitter come from the BS's userspace shaper (docs/deploy.md).

// One device behind the interface: its address and agent port pick its classes.
export interface TcDevice {
  readonly name: string;
  readonly address: string; // IPv4
  readonly agentPort: number;
  readonly downlinkBitsPerSec: number | null; // null: not shaped
  readonly uplinkBitsPerSec: number | null;
}

export interface TcPlanInput {
  readonly interface: string; // the interface the BS's traffic to these devices leaves by
  readonly ifb: string; // the ifb device that ingress is redirected to (created by the plan)
  readonly devices: readonly TcDevice[];
}

// One command: `file` is 'ip' or 'tc'; `creates` names what it leaves in the kernel, so tc-apply
// can record it before the next command runs and remove it afterwards.
export interface TcCommand {
  readonly file: 'ip' | 'tc'; // nft runs as `ip netns exec <ns> nft …` (nft-loss-plan.ts)
  readonly args: readonly string[];
  readonly creates?: TcObject;
}

// Something the kernel holds after a command; removing it removes its classes and filters too.
export type TcObject =
  | { readonly kind: 'qdisc'; readonly dev: string; readonly parent: 'root' | 'ingress' }
  | { readonly kind: 'link'; readonly dev: string; readonly type: 'ifb' }
  | { readonly kind: 'nft-table'; readonly netns: string; readonly family: 'inet'; readonly name: string };

// Two plans in order, as one (a device's htb classes, then its nftables loss).
export function joinPlans(...plans: readonly TcPlan[]): TcPlan {
  return { commands: plans.flatMap((plan) => plan.commands), objects: plans.flatMap((plan) => plan.objects) };
}

export interface TcPlan {
  readonly commands: readonly TcCommand[];
  readonly objects: readonly TcObject[];
}

const FIRST_CLASS_MINOR = 10;
const MIN_QUANTUM_BYTES = 1514;
const MAX_QUANTUM_BYTES = 60_000;

// The commands that shape `input.interface`; an empty plan when no device has a rate.
export function planTcShaping(input: TcPlanInput): TcPlan {
  const commands: TcCommand[] = [];
  const downlinks = input.devices.map((device, index) => ({ device, index, rate: device.downlinkBitsPerSec })).filter(hasRate);
  const uplinks = input.devices.map((device, index) => ({ device, index, rate: device.uplinkBitsPerSec })).filter(hasRate);
  if (downlinks.length > 0) {
    commands.push(rootHtb(input.interface));
    for (const { device, index, rate } of downlinks) {
      commands.push(htbClass(input.interface, index, rate));
      commands.push(u32Filter(input.interface, index, ['match', 'ip', 'dst', `${device.address}/32`, 'match', 'ip', 'dport', String(device.agentPort), '0xffff']));
    }
  }
  if (uplinks.length > 0) {
    commands.push({ file: 'ip', args: ['link', 'add', input.ifb, 'type', 'ifb'], creates: { kind: 'link', dev: input.ifb, type: 'ifb' } });
    commands.push({ file: 'ip', args: ['link', 'set', input.ifb, 'up'] });
    commands.push({ file: 'tc', args: ['qdisc', 'add', 'dev', input.interface, 'handle', 'ffff:', 'ingress'], creates: { kind: 'qdisc', dev: input.interface, parent: 'ingress' } });
    commands.push({
      file: 'tc',
      args: ['filter', 'add', 'dev', input.interface, 'parent', 'ffff:', 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', input.ifb],
    });
    commands.push(rootHtb(input.ifb));
    for (const { device, index, rate } of uplinks) {
      commands.push(htbClass(input.ifb, index, rate));
      commands.push(u32Filter(input.ifb, index, ['match', 'ip', 'src', `${device.address}/32`, 'match', 'ip', 'sport', String(device.agentPort), '0xffff']));
    }
  }
  return { commands, objects: commands.flatMap((command) => (command.creates === undefined ? [] : [command.creates])) };
}

// The commands that remove `objects`, newest first (a missing object is not an error for the caller).
export function planTcRemoval(objects: readonly TcObject[]): TcCommand[] {
  return [...objects].reverse().map((object): TcCommand => {
    if (object.kind === 'link') return { file: 'ip', args: ['link', 'del', object.dev] };
    if (object.kind === 'nft-table') return { file: 'ip', args: ['netns', 'exec', object.netns, 'nft', 'delete', 'table', object.family, object.name] };
    return { file: 'tc', args: ['qdisc', 'del', 'dev', object.dev, object.parent === 'root' ? 'root' : 'ingress'] };
  });
}

// The htb class id of the device at `index` ("1:10" for the first).
export function classIdOf(index: number): string {
  return `1:${(FIRST_CLASS_MINOR + index).toString(16)}`;
}

function hasRate<T extends { rate: number | null }>(entry: T): entry is T & { rate: number } {
  return entry.rate !== null;
}

// `default 0`: packets no filter classifies leave unshaped (htb's direct queue).
function rootHtb(dev: string): TcCommand {
  return { file: 'tc', args: ['qdisc', 'add', 'dev', dev, 'root', 'handle', '1:', 'htb', 'default', '0'], creates: { kind: 'qdisc', dev, parent: 'root' } };
}

// rate = ceil: a device never borrows beyond its own link. The quantum is set so htb does not warn
// (its r2q default gives quanta over 200 kB at tens of mbit).
function htbClass(dev: string, index: number, rateBitsPerSec: number): TcCommand {
  const rate = `${Math.round(rateBitsPerSec)}bit`;
  const quantum = Math.min(MAX_QUANTUM_BYTES, Math.max(MIN_QUANTUM_BYTES, Math.round(rateBitsPerSec / 8 / 10)));
  return { file: 'tc', args: ['class', 'add', 'dev', dev, 'parent', '1:', 'classid', classIdOf(index), 'htb', 'rate', rate, 'ceil', rate, 'quantum', String(quantum)] };
}

function u32Filter(dev: string, index: number, matches: readonly string[]): TcCommand {
  return { file: 'tc', args: ['filter', 'add', 'dev', dev, 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', ...matches, 'flowid', classIdOf(index)] };
}
