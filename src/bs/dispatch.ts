// Fan-out of one MoE layer: groups the policy's (token, expert) slots by device, sends each device the
// hidden states of its tokens once — at the rate its link gives it now with the bandwidth share the
// policy chose (channel state × share; equal shares among the devices used when the policy gives none) —
// waits for every answer (or failure), and sums them into one n×H result. Records the rate each transfer
// really got; a failed device is reported, not thrown (bs/layer-failover.ts handles it).
// Called by bs/forward.ts. Channels are transport DeviceClients or the in-process local channel.
import { rateAtShare, type DeviceLinkState, type LinkState } from '../channel/index.js';
import { NO_EXPERT_SLOT, type DeviceWork, type PolicyDecision } from '../policy/index.js';

// What a device is asked to do (structurally transport's RunRequest).
export interface DeviceRunRequest {
  layer: number;
  hidden: number;
  rows: number;
  k: number;
  states: Float32Array;
  experts: Uint16Array;
  weights: Float32Array;
}

// Timestamps (performance.now() ms) and sizes of one request, as transport records them.
export interface DeviceRunTiming {
  sendStartMs: number;
  downlinkDoneMs: number;
  resultReceivedMs: number;
  deliveredMs: number;
  deviceComputeMs: number;
  downlinkBytes: number;
  uplinkBytes: number;
  downlinkRateBitsPerSec: number | null; // the rate the transfer was shaped at; null = unshaped
  uplinkRateBitsPerSec: number | null;
}

// The rate and delay in force on one link for one transfer (structurally transport's LinkInForce).
export interface DeviceLinkInForce {
  rateBitsPerSec: number | null;
  delayMs?: number;
}

// One device as the BS talks to it.
export interface DeviceChannel {
  readonly name: string;
  run(
    request: DeviceRunRequest,
    options: { deadlineMs: number; signal?: AbortSignal; link?: { downlink?: DeviceLinkInForce; uplink?: DeviceLinkInForce } },
  ): Promise<{ output: Float32Array; timing: DeviceRunTiming; release?: () => void }>;
}

// Per device and layer: what crossed the links and where its time went (ms, relative to fan-out start).
export interface DeviceLayerRecord {
  device: string;
  rows: number;
  experts: string[]; // ExpertKeys ("layer.expert") this device ran
  downlinkBytes: number;
  uplinkBytes: number;
  share: number; // of the BS's bandwidth (both directions)
  estimatedMs: number | null; // the policy-side estimate of this device's finish time (latency.ts), null if none
  downlinkRateBitsPerSec: number | null; // in force for this transfer, as the shaper used it; null = unshaped
  uplinkRateBitsPerSec: number | null;
  downlinkMs: number;
  deviceComputeMs: number;
  uplinkMs: number;
  otherMs: number;
  finishMs: number;
}

export interface LayerDispatch {
  combined: Float32Array; // n×H, Σ weight · expert(x) over the kept slots of the devices that answered
  devices: DeviceLayerRecord[]; // the devices that answered
  wallMs: number;
  failures: DeviceFailureReport[]; // the devices whose request failed (their rows are not in combined)
}

// A device whose request of this layer failed, and why (a transport DeviceError, or whatever its channel threw).
export interface DeviceFailureReport {
  device: number; // index into the channels
  deadlineMs: number; // the deadline its request had
  error: unknown;
}

interface DevicePlan {
  device: number;
  tokens: number[];
  request: DeviceRunRequest;
  experts: number[]; // distinct expert indices in this request
  pairs: number; // (token, expert) pairs in this request
}

// Builds one request per device that has at least one slot in `decision`.
export function planLayerRequests(layer: number, states: Float32Array, hidden: number, decision: PolicyDecision, deviceCount: number): DevicePlan[] {
  const { k, experts, weights, slotDevice } = decision;
  const tokens = states.length / hidden;
  const slotsByDevice: number[][] = Array.from({ length: deviceCount }, () => []);
  for (let slot = 0; slot < tokens * k; slot++) {
    if (experts[slot] === NO_EXPERT_SLOT) continue;
    const device = slotDevice[slot]!;
    if (device >= 0) slotsByDevice[device]!.push(slot);
  }
  const plans: DevicePlan[] = [];
  slotsByDevice.forEach((slots, device) => {
    if (slots.length === 0) return;
    const rowOf = new Map<number, number[]>(); // token → its slots on this device
    for (const slot of slots) {
      const token = Math.floor(slot / k);
      const list = rowOf.get(token);
      if (list === undefined) rowOf.set(token, [slot]);
      else list.push(slot);
    }
    const deviceTokens = [...rowOf.keys()];
    const deviceK = Math.max(...[...rowOf.values()].map((list) => list.length));
    const rows = deviceTokens.length;
    const request: DeviceRunRequest = {
      layer,
      hidden,
      rows,
      k: deviceK,
      states: new Float32Array(rows * hidden),
      experts: new Uint16Array(rows * deviceK).fill(NO_EXPERT_SLOT),
      weights: new Float32Array(rows * deviceK),
    };
    const distinctExperts = new Set<number>();
    deviceTokens.forEach((token, row) => {
      request.states.set(states.subarray(token * hidden, (token + 1) * hidden), row * hidden);
      rowOf.get(token)!.forEach((slot, j) => {
        request.experts[row * deviceK + j] = experts[slot]!;
        request.weights[row * deviceK + j] = weights[slot]!;
        distinctExperts.add(experts[slot]!);
      });
    });
    plans.push({ device, tokens: deviceTokens, request, experts: [...distinctExperts].sort((a, b) => a - b), pairs: slots.length });
  });
  return plans;
}

// The bandwidth share of each device with a plan: the policy's, or an equal split among them.
export function sharesOf(decision: PolicyDecision, plans: readonly { device: number }[], deviceCount: number): Float64Array {
  if (decision.bandwidthShare !== null) return decision.bandwidthShare;
  const shares = new Float64Array(deviceCount);
  for (const plan of plans) shares[plan.device] = 1 / plans.length;
  return shares;
}

function inForce(state: LinkState | undefined, share: number): DeviceLinkInForce | undefined {
  return state === undefined ? undefined : { rateBitsPerSec: rateAtShare(state, share), delayMs: state.delayMs };
}

// Sends every device its rows in parallel and combines the answers of those that answered; a device that
// fails (its run rejects) is reported in `failures` with the error and its rows left out of `combined`
// (bs/layer-failover.ts decides what happens next). `links` (one per channel) are the link states now;
// without them each shaper keeps its own spec. Each request's deadline is `deadlineMsFor(device, work,
// share)` when given (bs/request-deadline.ts), else `deadlineMs`.
export async function dispatchLayer(
  channels: readonly DeviceChannel[],
  layer: number,
  states: Float32Array,
  hidden: number,
  decision: PolicyDecision,
  options: {
    deadlineMs: number;
    deadlineMsFor?: (device: number, work: DeviceWork, share: number) => number;
    signal?: AbortSignal;
    links?: readonly DeviceLinkState[];
    estimatesMs?: Float64Array;
  },
): Promise<LayerDispatch> {
  const plans = planLayerRequests(layer, states, hidden, decision, channels.length);
  const shares = sharesOf(decision, plans, channels.length);
  const runOptions = plans.map((plan) => {
    const link = options.links?.[plan.device];
    const share = shares[plan.device] ?? 0;
    const work = { rows: plan.request.rows, expertRuns: plan.experts.length, pairs: plan.pairs };
    return { deadlineMs: options.deadlineMsFor?.(plan.device, work, share) ?? options.deadlineMs, signal: options.signal,
      link: link === undefined ? undefined : { downlink: inForce(link.downlink, share), uplink: inForce(link.uplink, share) } };
  });
  const startMs = performance.now();
  const settled = await Promise.allSettled(plans.map((plan, i) => channels[plan.device]!.run(plan.request, runOptions[i]!)));
  const failures: DeviceFailureReport[] = [];
  const answered: { plan: DevicePlan; reply: Awaited<ReturnType<DeviceChannel['run']>> }[] = [];
  settled.forEach((outcome, i) => {
    const plan = plans[i]!;
    if (outcome.status === 'fulfilled') answered.push({ plan, reply: outcome.value });
    else failures.push({ device: plan.device, deadlineMs: runOptions[i]!.deadlineMs, error: outcome.reason });
  });
  const wallMs = performance.now() - startMs;
  const combined = new Float32Array(states.length);
  const devices: DeviceLayerRecord[] = [];
  answered.forEach(({ plan, reply }) => {
    const { output, timing } = reply;
    plan.tokens.forEach((token, row) => {
      const base = token * hidden;
      const from = row * hidden;
      for (let h = 0; h < hidden; h++) combined[base + h]! += output[from + h]!;
    });
    reply.release?.(); // output is consumed: its receive buffer may be reused (transport RunReply.release)
    const downlinkMs = timing.downlinkDoneMs - timing.sendStartMs;
    const uplinkMs = timing.deliveredMs - timing.resultReceivedMs;
    const finishMs = timing.deliveredMs - startMs;
    devices.push({
      device: channels[plan.device]!.name,
      rows: plan.request.rows,
      experts: plan.experts.map((expert) => `${layer}.${expert}`),
      downlinkBytes: timing.downlinkBytes,
      uplinkBytes: timing.uplinkBytes,
      share: shares[plan.device] ?? 0,
      estimatedMs: options.estimatesMs?.[plan.device] ?? null,
      downlinkRateBitsPerSec: timing.downlinkRateBitsPerSec,
      uplinkRateBitsPerSec: timing.uplinkRateBitsPerSec,
      downlinkMs,
      deviceComputeMs: timing.deviceComputeMs,
      uplinkMs,
      otherMs: Math.max(0, finishMs - downlinkMs - timing.deviceComputeMs - uplinkMs),
      finishMs,
    });
  });
  return { combined, devices, wallMs, failures };
}
