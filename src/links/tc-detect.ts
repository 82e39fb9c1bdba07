// Finds out which qdiscs, classifiers, actions and link types this kernel has, by trying each one on a
// veth inside a throw-away network namespace (`wdmoe-probe-<pid>`) and reading the answer; never
// assumes; nftables' random drop (numgen) is probed the same way. Needs root. Called by `loopback up
// --netns` (which refuses when htb/u32/mirred/ifb are missing, and reports the rest and what emulates
// each link property). Imports execa and core only.
import { execa } from 'execa';
import { TcError } from './tc-errors.js';

export interface TcFeatures {
  readonly qdiscs: { readonly htb: boolean; readonly tbf: boolean; readonly netem: boolean; readonly fq_codel: boolean; readonly ingress: boolean; readonly clsact: boolean };
  readonly filters: { readonly u32: boolean; readonly flower: boolean };
  readonly actions: { readonly mirred: boolean; readonly police: boolean };
  readonly links: { readonly ifb: boolean };
  readonly nftables: { readonly numgen: boolean }; // `nft` present and its random drop accepted
}

const PROBE_TIMEOUT_MS = 5_000;

// Probes the kernel; throws TcError when not root or when no namespace can be made.
export async function detectTcFeatures(options: { signal?: AbortSignal } = {}): Promise<TcFeatures> {
  if (process.getuid?.() !== 0) {
    throw new TcError('tc-needs-root', 'kernel link shaping (tc) needs root', { exitCode: 2, hint: 'run as root (sudo), or use `shaping: userspace`' });
  }
  const netns = probeNamespaceOf(process.pid);
  const run = async (file: string, args: string[]) => {
    const result = await execa(file, args, { reject: false, timeout: PROBE_TIMEOUT_MS, cancelSignal: options.signal, stdin: 'ignore' });
    return result.exitCode === 0;
  };
  const inNs = (file: string, args: string[]) => run('ip', ['netns', 'exec', netns, file, ...args]);
  await run('ip', ['netns', 'del', netns]); // a leftover of a killed probe with this pid
  if (!(await run('ip', ['netns', 'add', netns]))) {
    throw new TcError('tc-no-netns', 'cannot create a network namespace to probe tc', { hint: 'run as root on a kernel with network namespaces (ip netns add)' });
  }
  try {
    await inNs('ip', ['link', 'add', 'wdp0', 'type', 'veth', 'peer', 'name', 'wdp1']);
    const qdisc = async (...spec: string[]) => {
      const ok = await inNs('tc', ['qdisc', 'add', 'dev', 'wdp0', 'root', 'handle', '1:', ...spec]);
      if (ok) await inNs('tc', ['qdisc', 'del', 'dev', 'wdp0', 'root']);
      return ok;
    };
    const htb = await qdisc('htb', 'default', '0');
    const tbf = await qdisc('tbf', 'rate', '1mbit', 'burst', '32k', 'latency', '50ms');
    const netem = await qdisc('netem', 'delay', '1ms');
    const fqCodel = await qdisc('fq_codel');
    const clsact = await inNs('tc', ['qdisc', 'add', 'dev', 'wdp0', 'clsact']);
    if (clsact) await inNs('tc', ['qdisc', 'del', 'dev', 'wdp0', 'clsact']);
    const ingress = await inNs('tc', ['qdisc', 'add', 'dev', 'wdp0', 'handle', 'ffff:', 'ingress']);
    const filter = (...spec: string[]) => inNs('tc', ['filter', 'add', 'dev', 'wdp0', 'parent', 'ffff:', 'protocol', 'ip', ...spec]);
    // u32 is probed with a flowid, not `action pass`: gact is not built into every kernel, and nothing here uses it.
    const u32 = ingress && (await filter('prio', '1', 'u32', 'match', 'u32', '0', '0', 'flowid', '1:1'));
    const mirred = ingress && (await filter('prio', '2', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', 'wdp1'));
    const police = ingress && (await filter('prio', '3', 'u32', 'match', 'u32', '0', '0', 'police', 'rate', '1mbit', 'burst', '10k', 'drop'));
    const flower = ingress && (await filter('prio', '4', 'flower', 'classid', '1:1'));
    const ifb = await inNs('ip', ['link', 'add', 'wdpi', 'type', 'ifb']);
    const numgen = (await inNs('nft', ['add', 'table', 'inet', 'wdmoe-probe']))
      && (await inNs('nft', ['add', 'chain', 'inet', 'wdmoe-probe', 'input', '{ type filter hook input priority 0 ; policy accept ; }']))
      && (await inNs('nft', ['add', 'rule', 'inet', 'wdmoe-probe', 'input', 'tcp', 'dport', '9', 'numgen', 'random', 'mod', '1000000', '<', '1', 'counter', 'drop']));
    return {
      qdiscs: { htb, tbf, netem, fq_codel: fqCodel, ingress, clsact },
      filters: { u32, flower },
      actions: { mirred, police },
      links: { ifb },
      nftables: { numgen },
    };
  } finally {
    // Not cancelled by the signal: an interrupted probe must still remove its namespace.
    await execa('ip', ['netns', 'del', netns], { reject: false, timeout: PROBE_TIMEOUT_MS, stdin: 'ignore' });
  }
}

// The throw-away namespace the probe of process `pid` uses (a killed probe's is removed by the next `up`).
export function probeNamespaceOf(pid: number): string {
  return `wdmoe-probe-${pid}`;
}

// The features a plan of tc-plan.ts needs that `features` lacks (empty: the plan can be applied).
export function missingForPlan(features: TcFeatures): string[] {
  const needed: Array<[string, boolean]> = [
    ['htb qdisc', features.qdiscs.htb], ['ingress qdisc', features.qdiscs.ingress], ['u32 filter', features.filters.u32],
    ['mirred action', features.actions.mirred], ['ifb link', features.links.ifb],
  ];
  return needed.filter(([, has]) => !has).map(([name]) => name);
}

// One line for the user: what the kernel has and lacks.
export function describeTcFeatures(features: TcFeatures): string {
  const all: Array<[string, boolean]> = [
    ...Object.entries(features.qdiscs), ...Object.entries(features.filters), ...Object.entries(features.actions), ...Object.entries(features.links),
    ['nftables numgen', features.nftables.numgen],
  ];
  const has = all.filter(([, ok]) => ok).map(([name]) => name);
  const lacks = all.filter(([, ok]) => !ok).map(([name]) => name);
  return `tc: has ${has.join(', ') || 'nothing'}; lacks ${lacks.join(', ') || 'nothing'}`;
}

// What emulates each link property under `shaping: tc`. The tc plan never uses netem (so it runs the
// same with or without it): delay and jitter come from the BS's userspace shaper on a rate-less copy
// of the link; loss is real packet drops by nftables where it works, else the userspace loss model.
export interface LinkEmulation {
  readonly rate: 'htb';
  readonly delay: 'userspace';
  readonly jitter: 'userspace';
  readonly loss: 'nftables' | 'userspace';
}

export function resolveLinkEmulation(features: TcFeatures): LinkEmulation {
  return { rate: 'htb', delay: 'userspace', jitter: 'userspace', loss: features.nftables.numgen ? 'nftables' : 'userspace' };
}

// One line for the user: which mechanism gives each property.
export function describeLinkEmulation(emulation: LinkEmulation): string {
  const by = { htb: 'tc htb', userspace: 'the userspace shaper', nftables: 'nftables (numgen random drop)' } as const;
  return `links: rate by ${by[emulation.rate]}; delay and jitter by ${by[emulation.delay]}; loss by ${by[emulation.loss]}`;
}
