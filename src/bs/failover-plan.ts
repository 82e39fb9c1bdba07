// Failover planning for one MoE layer, pure: after some devices failed, which other replica takes each
// of their (token, expert) slots (the up holder with the fewest slots moved to it so far, so a lost
// device's work spreads over its replicas), which slots no up device holds (skipped, or the run fails:
// --on-device-loss), and how a token's combined output is renormalised over the experts it kept.
// Called by bs/layer-failover.ts.
import { NO_EXPERT_SLOT, type PolicyDecision } from '../policy/index.js';

// Slots of one failed device that moved to one replica.
export interface FailoverMove {
  from: number; // device indices
  to: number;
  experts: number[]; // distinct expert indices, ascending
}

// Slots of one failed device that no up device holds.
export interface UnservedSlots {
  device: number;
  slots: number[];
  experts: number[];
}

export interface FailoverPlan {
  // Only the moved slots, on their new devices (every other slot empty); bandwidthShare gives each new
  // device at least the share of the device it stands in for.
  decision: PolicyDecision;
  moves: FailoverMove[];
  unserved: UnservedSlots[];
}

// Re-plans the slots of `decision` that were sent to a device in `failed`. `layerExpertDevices[expert]`
// lists the devices holding that expert; `isUp(d)` says whether a device may take work; `shares` are the
// bandwidth shares the first attempt used (one per device).
export function planFailover(decision: PolicyDecision, failed: ReadonlySet<number>, layerExpertDevices: readonly (readonly number[])[],
  isUp: (device: number) => boolean, shares: Float64Array): FailoverPlan {
  const { k } = decision;
  const experts = new Uint16Array(decision.experts.length).fill(NO_EXPERT_SLOT);
  const slotDevice = new Int32Array(decision.experts.length).fill(-1);
  const bandwidthShare = Float64Array.from(shares);
  const movedTo = new Map<number, number>(); // device → slots moved to it
  const moves = new Map<string, { from: number; to: number; experts: Set<number> }>();
  const unserved = new Map<number, { slots: number[]; experts: Set<number> }>();
  for (let slot = 0; slot < decision.experts.length; slot++) {
    const expert = decision.experts[slot]!;
    const from = decision.slotDevice[slot]!;
    if (expert === NO_EXPERT_SLOT || !failed.has(from)) continue;
    const replicas = (layerExpertDevices[expert] ?? []).filter((d) => !failed.has(d) && isUp(d));
    if (replicas.length === 0) {
      const entry = unserved.get(from) ?? { slots: [], experts: new Set<number>() };
      entry.slots.push(slot);
      entry.experts.add(expert);
      unserved.set(from, entry);
      continue;
    }
    const to = replicas.reduce((best, d) => ((movedTo.get(d) ?? 0) < (movedTo.get(best) ?? 0) ? d : best));
    movedTo.set(to, (movedTo.get(to) ?? 0) + 1);
    experts[slot] = expert;
    slotDevice[slot] = to;
    bandwidthShare[to] = Math.max(bandwidthShare[to] ?? 0, shares[from] ?? 0);
    const key = `${from}>${to}`;
    const move = moves.get(key) ?? { from, to, experts: new Set<number>() };
    move.experts.add(expert);
    moves.set(key, move);
  }
  const sorted = (set: Set<number>) => [...set].sort((a, b) => a - b);
  return {
    decision: { k, experts, weights: decision.weights, slotDevice, bandwidthShare },
    moves: [...moves.values()].map((move) => ({ from: move.from, to: move.to, experts: sorted(move.experts) })),
    unserved: [...unserved].map(([device, entry]) => ({ device, slots: entry.slots, experts: sorted(entry.experts) })),
  };
}

// Renormalises each token's combined output (n×hidden) over the experts it kept: a token whose slots
// marked in `skipped` carried weight s of its total w is scaled by w / (w − s), as if the gate had
// chosen only the experts that ran (the weights of those sum to what the token's did); a token left
// with no expert keeps a zero row (its residual alone).
export function renormaliseSkipped(combined: Float32Array, decision: Pick<PolicyDecision, 'k' | 'experts' | 'weights'>, skipped: Uint8Array, hidden: number): void {
  const { k } = decision;
  const tokens = k === 0 ? 0 : decision.experts.length / k;
  for (let token = 0; token < tokens; token++) {
    let total = 0;
    let lost = 0;
    for (let j = 0; j < k; j++) {
      const slot = token * k + j;
      if (decision.experts[slot] === NO_EXPERT_SLOT) continue;
      total += decision.weights[slot]!;
      if (skipped[slot]) lost += decision.weights[slot]!;
    }
    if (lost === 0) continue;
    const kept = total - lost;
    const scale = kept > 0 ? total / kept : 0;
    for (let h = token * hidden; h < (token + 1) * hidden; h++) combined[h]! *= scale;
  }
}
