// Plans packet loss with nftables where the kernel has no netem: a `wdmoe-loss` table inside the
// device's network namespace whose rules drop the agent connection's packets at random
// (`numgen random mod 1000000 < p·10⁶ drop`) — downlink on the device's input hook (BS → device,
// tcp dport = agent port), uplink on its output hook (device → BS, tcp sport = agent port). ssh and
// everything else pass. The hooks see what TCP built: the link's interfaces must carry one segment per
// packet (`gso_max_segs 1`, set by loopback's netns setup) so that a drop costs one wire packet. Returns the `ip netns exec … nft` argument arrays and runs nothing (tc-apply.ts
// applies and records the table like a qdisc). Pure: no execa, no fs. Called by loopback's netns setup.
import type { TcCommand, TcObject, TcPlan } from './tc-plan.js';

export interface NftLossInput {
  readonly netns: string; // the device's namespace: the table lives (and dies) with it
  readonly agentPort: number;
  readonly downlinkLossRate: number; // 0..1
  readonly uplinkLossRate: number;
}

export const NFT_LOSS_TABLE = 'wdmoe-loss';
const PER_MILLION = 1_000_000;

// The commands that drop the agent's packets at the given rates; an empty plan when both are 0.
export function planNftLoss(input: NftLossInput): TcPlan {
  const hooks = [
    { hook: 'input', match: ['tcp', 'dport', String(input.agentPort)], rate: input.downlinkLossRate },
    { hook: 'output', match: ['tcp', 'sport', String(input.agentPort)], rate: input.uplinkLossRate },
  ].filter((entry) => entry.rate > 0);
  if (hooks.length === 0) return { commands: [], objects: [] };
  const nft = (...args: string[]): string[] => ['netns', 'exec', input.netns, 'nft', ...args];
  const table: TcObject = { kind: 'nft-table', netns: input.netns, family: 'inet', name: NFT_LOSS_TABLE };
  const commands: TcCommand[] = [{ file: 'ip', args: nft('add', 'table', 'inet', NFT_LOSS_TABLE), creates: table }];
  for (const { hook, match, rate } of hooks) {
    commands.push({ file: 'ip', args: nft('add', 'chain', 'inet', NFT_LOSS_TABLE, hook, `{ type filter hook ${hook} priority 0 ; policy accept ; }`) });
    const threshold = Math.max(1, Math.min(PER_MILLION, Math.round(rate * PER_MILLION)));
    commands.push({ file: 'ip', args: nft('add', 'rule', 'inet', NFT_LOSS_TABLE, hook, ...match, 'numgen', 'random', 'mod', String(PER_MILLION), '<', String(threshold), 'counter', 'drop') });
  }
  return { commands, objects: [table] };
}
