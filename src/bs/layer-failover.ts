// One MoE layer's fan-out with device loss handled: dispatches the policy's decision; a device that
// missed its deadline, closed its connection or answered ERROR is marked down (its DeviceHealth) and
// reported; its slots go to another replica that is up (failover-plan.ts) and are sent again; slots no
// up device holds either fail the item (--on-device-loss fail: DeviceLossError) or are skipped with
// each token's output renormalised over the experts it kept (skip). Called by bs/forward.ts.
import { DeviceError } from '../transport/index.js';
import { NO_EXPERT_SLOT, equalShares, topKCandidates, workOfSlots, type PolicyContext, type PolicyDecision } from '../policy/index.js';
import type { BsDevice } from './device.js';
import { dispatchLayer, type DeviceLayerRecord, type LayerDispatch } from './dispatch.js';
import { DeviceLossError } from './errors.js';
import { planFailover, renormaliseSkipped } from './failover-plan.js';

// What to do with experts whose every holder is down (`wdmoe bench --on-device-loss`).
export type DeviceLossMode = 'fail' | 'skip';
export const DEVICE_LOSS_MODES: readonly DeviceLossMode[] = ['fail', 'skip'];

// What happened to the devices in one layer of one forward pass (recorded per item: device-events.jsonl).
export type DeviceLossEvent =
  | { kind: 'down'; device: string; layer: number; failure: string; reason: string }
  | { kind: 'failover'; device: string; layer: number; to: string; experts: string[] }
  | { kind: 'skip'; device: string; layer: number; experts: string[] };

export interface LayerFailoverResult extends LayerDispatch {
  events: DeviceLossEvent[];
}

export interface LayerFailoverOptions {
  onDeviceLoss: DeviceLossMode;
  deadlineMs: number; // the cap (timeouts.request)
  deadlineMsFor?: Parameters<typeof dispatchLayer>[5]['deadlineMsFor'];
  signal?: AbortSignal;
  links?: Parameters<typeof dispatchLayer>[5]['links'];
  estimatesMs?: Float64Array;
}

const keysOf = (layer: number, experts: readonly number[]) => experts.map((expert) => `${layer}.${expert}`);

// Dispatches `decision` over `devices` (layerExpertDevices: this layer's expert → holders), failing over
// as often as devices fail (at most once per device), and returns the combined output of every slot served.
export async function dispatchWithFailover(devices: readonly BsDevice[], layerExpertDevices: readonly (readonly number[])[], layer: number,
  states: Float32Array, hidden: number, decision: PolicyDecision, options: LayerFailoverOptions): Promise<LayerFailoverResult> {
  const channels = devices.map((device) => device.channel);
  // The usual case, no device failing, costs one dispatch: its output is the layer's (no copy); the shares
  // a failover re-plans with and the skip bookkeeping are only made once a device fails.
  const first = await dispatchLayer(channels, layer, states, hidden, decision, options);
  if (first.failures.length === 0) return { ...first, events: [] };
  const combined = first.combined;
  const records: DeviceLayerRecord[] = [...first.devices];
  const events: DeviceLossEvent[] = [];
  const skipped = new Uint8Array(decision.experts.length);
  let isSkipping = false;
  let wallMs = first.wallMs;
  let current = decision;
  let shares = decision.bandwidthShare ?? equalShares(workOfSlots(decision.experts, decision.slotDevice, decision.k, devices.length));
  let result: LayerDispatch = first;
  for (let round = 0; round <= devices.length; round++) {
    if (round > 0) {
      result = await dispatchLayer(channels, layer, states, hidden, current, options);
      for (let i = 0; i < combined.length; i++) combined[i]! += result.combined[i]!;
      records.push(...result.devices);
      wallMs += result.wallMs;
    }
    if (result.failures.length === 0) break;
    options.signal?.throwIfAborted();
    const failed = new Set<number>();
    const why = new Map<number, { reason: string; error: unknown }>();
    for (const failure of result.failures) {
      const error = failure.error;
      if (!(error instanceof DeviceError) || error.failure === 'aborted') throw error;
      const device = devices[failure.device]!;
      const reason = error.message.startsWith(`device ${device.name}: `) ? error.message.slice(`device ${device.name}: `.length) : error.message;
      device.health.markDown({ layer, failure: error.failure, reason });
      events.push({ kind: 'down', device: device.name, layer, failure: error.failure, reason });
      failed.add(failure.device);
      why.set(failure.device, { reason, error });
    }
    const plan = planFailover(current, failed, layerExpertDevices, (d) => devices[d]!.health.isUp, shares);
    for (const move of plan.moves) events.push({ kind: 'failover', device: devices[move.from]!.name, layer, to: devices[move.to]!.name, experts: keysOf(layer, move.experts) });
    for (const lost of plan.unserved) {
      if (options.onDeviceLoss === 'fail') {
        const cause = why.get(lost.device)!;
        throw new DeviceLossError({ device: devices[lost.device]!.name, layer, reason: cause.reason, experts: keysOf(layer, lost.experts), cause: cause.error });
      }
      for (const slot of lost.slots) skipped[slot] = 1;
      isSkipping = true;
      events.push({ kind: 'skip', device: devices[lost.device]!.name, layer, experts: keysOf(layer, lost.experts) });
    }
    if (plan.moves.length === 0) break;
    current = plan.decision;
    shares = plan.decision.bandwidthShare!;
  }
  if (isSkipping) renormaliseSkipped(combined, decision, skipped, hidden);
  return { combined, devices: records, wallMs, failures: [], events };
}

// Before the policy decides: the gate's top-k experts that no up device holds, grouped by the (down)
// device first holding each. Under `fail` the first one fails the item; under `skip` they are reported
// (the policies leave them out, seeing their devices unavailable, and renormalise the rest).
export function checkUnservedCandidates(ctx: PolicyContext, devices: readonly BsDevice[], mode: DeviceLossMode): DeviceLossEvent[] {
  if (devices.every((device) => device.health.isUp)) return [];
  const candidates = topKCandidates(ctx);
  const byDevice = new Map<number, Set<number>>();
  for (const expert of candidates.experts) {
    if (expert === NO_EXPERT_SLOT) continue;
    const holders = ctx.expertDevices[expert] ?? [];
    if (holders.length === 0 || holders.some((d) => devices[d]!.health.isUp)) continue;
    const set = byDevice.get(holders[0]!) ?? new Set<number>();
    set.add(expert);
    byDevice.set(holders[0]!, set);
  }
  const events: DeviceLossEvent[] = [];
  for (const [d, set] of byDevice) {
    const experts = keysOf(ctx.layer, [...set].sort((a, b) => a - b));
    const device = devices[d]!;
    if (mode === 'fail') throw new DeviceLossError({ device: device.name, layer: ctx.layer, reason: `down since layer ${device.health.down!.layer}: ${device.health.down!.reason}`, experts });
    events.push({ kind: 'skip', device: device.name, layer: ctx.layer, experts });
  }
  return events;
}
