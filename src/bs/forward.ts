// The BS forward pass, top to bottom: embed → per layer (attention → router → policy → fan-out →
// combine) → head. Each step is one imported call; timing is kept per step so every item's latency
// splits into bs_compute / downlink / device_compute / uplink / other along the critical path.
// Called by bench (scoring) and by tests against golden.json.
import { InternalError } from '../core/index.js';
import type { DeviceLinkState } from '../channel/index.js';
import type { BsGraphs } from '../model/index.js';
import { NO_EXPERT_SLOT, buildDeviceEstimates, estimateDeviceMs, softmaxRows, type Policy, type PolicyContext } from '../policy/index.js';
import type { DeviceLayerRecord } from './dispatch.js';
import type { BsDevice } from './device.js';
import { checkUnservedCandidates, dispatchWithFailover, type DeviceLossEvent, type DeviceLossMode } from './layer-failover.js';
import { deriveRequestDeadlineMs } from './request-deadline.js';
import { estimateDecision, recordRouting, type LayerRouting } from './layer-routing.js';
import { emptyTiming, type LatencyBreakdown } from './timing.js';

// The links as they are at one moment: every device's state and the channel clock's time (null: static links).
export interface LinkMoment {
  timeMs: number | null;
  states: readonly DeviceLinkState[]; // one per device, in setup.devices order
}

// Everything the forward pass needs besides the tokens; built once per run (links: per item).
export interface ForwardSetup {
  graphs: BsGraphs;
  policy: Policy;
  devices: readonly BsDevice[]; // in testbed order: name, compute model and channel of each
  // The link states in force now; called once per layer, so a time-varying channel moves within an item.
  links: () => LinkMoment;
  expertDevices: readonly (readonly (readonly number[])[])[]; // [layer][expert] → device indices
  // The cap on every request's deadline (timeouts.request); each request gets the deadline its device's
  // link and compute profile call for (bs/request-deadline.ts), at most this.
  deadlineMs: number;
  // Experts whose every holder is down: fail the item (default) or skip them (docs/testbed.md "Device loss").
  onDeviceLoss?: DeviceLossMode;
  random: () => number;
}

// One MoE layer of one forward pass, as the per-layer log records it.
export interface LayerRecord {
  layer: number;
  tokens: number;
  keptSlots: number;
  droppedSlots: number;
  wallMs: number; // fan-out start → last device's answer delivered
  bsComputeMs: number; // attention + router + policy + combine at the BS for this layer
  criticalDevice: string | null;
  devices: DeviceLayerRecord[];
  channelTimeMs: number | null; // the channel clock when the policy decided
  linkStates: readonly DeviceLinkState[]; // every device's links then (what a replay needs)
  routing: LayerRouting; // each token's gate top-k and which of them ran
  deviceEvents: DeviceLossEvent[]; // devices lost, failovers and skipped experts in this layer
}

// Attention keys/values of the tokens seen so far, per layer ([B, KV, P, D] each), for decode steps.
export interface KvCache {
  readonly length: number; // P: positions cached
  readonly batch: number;
  // True when a row of it holds padding: decoding on top would attend to the pad positions, so it is refused.
  readonly padded: boolean;
  readonly keys: readonly Float32Array[];
  readonly values: readonly Float32Array[];
}

export interface ForwardResult {
  logits: Float32Array; // B×T×V
  dims: readonly [number, number, number];
  lengths: readonly number[];
  timing: LatencyBreakdown;
  layers: LayerRecord[];
  experts: { used: number; dropped: number };
  cache: KvCache; // the cache extended by this call's tokens
}

// Runs a batch of token sequences (right-padded into one batch) through the split model. With `cache`,
// the sequences continue the cached ones (decode): they must all have the same length (no padding).
export async function forwardSequences(setup: ForwardSetup, sequences: readonly (readonly number[])[], signal?: AbortSignal, cache?: KvCache): Promise<ForwardResult> {
  const startMs = performance.now();
  const { graphs } = setup;
  const arch = graphs.arch;
  const hidden = arch.hiddenSize;
  const batch = sequences.length;
  const width = Math.max(...sequences.map((sequence) => sequence.length));
  const timing = emptyTiming();
  const bs = async <T>(step: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    try {
      return await step();
    } finally {
      timing.bsComputeMs += performance.now() - t0;
    }
  };

  const past = cache?.length ?? 0;
  if (cache !== undefined && (cache.padded || cache.batch !== batch || sequences.some((sequence) => sequence.length !== width))) {
    throw new InternalError(`a decode step needs an unpadded cache and ${cache.batch} sequences of equal length, got lengths ${sequences.map((s) => s.length).join(',')}${cache.padded ? ' after a padded batch' : ''}`);
  }
  const { inputIds, attentionMask, positionIds, realPositions } = await bs(() => buildBatch(sequences, width, arch.padTokenId ?? 0, past));
  const dims2 = [batch, width] as const;
  const maskDims = [batch, past + width] as const;
  const embedded = await bs(() => graphs.embed.run({ input_ids: { type: 'int64', data: inputIds, dims: dims2 } }));
  let hiddenStates = embedded['hidden']!.data;
  const emptyPast = new Float32Array(0);
  const pastDims = [batch, arch.numKeyValueHeads, past, arch.headDim] as const;
  const keys: Float32Array[] = [];
  const values: Float32Array[] = [];
  const layers: LayerRecord[] = [];
  let used = 0;

  for (let layer = 0; layer < arch.numLayers; layer++) {
    signal?.throwIfAborted();
    const bsBeforeLayer = timing.bsComputeMs;
    const attention = await bs(() =>
      graphs.attention[layer]!.run({
        hidden: { type: 'float32', data: hiddenStates, dims: [batch, width, hidden] },
        attention_mask: { type: 'int64', data: attentionMask, dims: maskDims },
        position_ids: { type: 'int64', data: positionIds, dims: dims2 },
        past_key: { type: 'float32', data: cache?.keys[layer] ?? emptyPast, dims: pastDims },
        past_value: { type: 'float32', data: cache?.values[layer] ?? emptyPast, dims: pastDims },
      }),
    );
    keys.push(attention['present_key']!.data);
    values.push(attention['present_value']!.data);
    const residual = attention['residual']!.data;
    const normed = await bs(() => gatherRows(attention['normed']!.data, realPositions, hidden));
    const routed = await bs(() => graphs.router[layer]!.run({ normed: { type: 'float32', data: normed, dims: [realPositions.length, hidden] } }));
    const moment = setup.links();
    const context: PolicyContext = await bs(() => ({
      layer,
      tokens: realPositions.length,
      numExperts: arch.numExperts,
      topK: arch.topK,
      normalizeTopK: arch.routerNormalizeTopK,
      gateProbs: softmaxRows(routed['router_logits']!.data, realPositions.length, arch.numExperts),
      hiddenSize: hidden,
      bytesPerValue: 4,
      devices: buildDeviceEstimates(setup.devices, moment.states, setup.devices.map((device) => device.health.isUp)),
      expertDevices: setup.expertDevices[layer]!,
      random: setup.random,
    }));
    const onDeviceLoss = setup.onDeviceLoss ?? 'fail';
    const unserved = checkUnservedCandidates(context, setup.devices, onDeviceLoss);
    const decision = await bs(() => setup.policy(context));
    const kept = decision.experts.reduce((count, expert) => count + (expert === NO_EXPERT_SLOT ? 0 : 1), 0);
    used += kept;
    const rowBytes = context.hiddenSize * context.bytesPerValue;
    const fanOut = await dispatchWithFailover(setup.devices, setup.expertDevices[layer]!, layer, normed, hidden, decision, {
      onDeviceLoss, deadlineMs: setup.deadlineMs, signal, links: moment.states, estimatesMs: estimateDecision(context, decision),
      deadlineMsFor: (d, work, share) => deriveRequestDeadlineMs(estimateDeviceMs(context.devices[d]!, work, share, rowBytes), setup.deadlineMs),
    });
    await bs(() => scatterAdd(residual, fanOut.combined, realPositions, hidden));
    hiddenStates = residual;
    const critical = fanOut.devices.reduce<DeviceLayerRecord | null>((a, b) => (a === null || b.finishMs > a.finishMs ? b : a), null);
    if (critical !== null) {
      timing.downlinkMs += critical.downlinkMs;
      timing.deviceComputeMs += critical.deviceComputeMs;
      timing.uplinkMs += critical.uplinkMs;
    }
    layers.push({
      layer,
      tokens: realPositions.length,
      keptSlots: kept,
      droppedSlots: realPositions.length * arch.topK - kept,
      wallMs: fanOut.wallMs,
      bsComputeMs: timing.bsComputeMs - bsBeforeLayer,
      criticalDevice: critical?.device ?? null,
      devices: fanOut.devices,
      channelTimeMs: moment.timeMs,
      linkStates: moment.states,
      routing: recordRouting(context, decision),
      deviceEvents: [...unserved, ...fanOut.events],
    });
  }

  const head = await bs(() => graphs.head.run({ hidden: { type: 'float32', data: hiddenStates, dims: [batch, width, hidden] } }));
  timing.totalMs = performance.now() - startMs;
  timing.otherMs = Math.max(0, timing.totalMs - timing.bsComputeMs - timing.downlinkMs - timing.deviceComputeMs - timing.uplinkMs);
  return {
    logits: head['logits']!.data,
    dims: [batch, width, arch.vocabSize],
    lengths: sequences.map((sequence) => sequence.length),
    timing,
    layers,
    experts: { used, dropped: realPositions.length * arch.topK * arch.numLayers - used },
    cache: { length: past + width, batch, keys, values, padded: (cache?.padded ?? false) || sequences.some((sequence) => sequence.length !== width) },
  };
}

// Right-pads the sequences into int64 tensors after `past` cached positions (mask [B, past+width]);
// realPositions lists the flat index of every real token.
function buildBatch(sequences: readonly (readonly number[])[], width: number, padTokenId: number, past: number) {
  const batch = sequences.length;
  const inputIds = new BigInt64Array(batch * width).fill(BigInt(padTokenId));
  const attentionMask = new BigInt64Array(batch * (past + width));
  const positionIds = new BigInt64Array(batch * width);
  const realPositions: number[] = [];
  sequences.forEach((sequence, b) => {
    for (let t = 0; t < past; t++) attentionMask[b * (past + width) + t] = 1n;
    for (let t = 0; t < width; t++) {
      positionIds[b * width + t] = BigInt(past + t);
      if (t < sequence.length) {
        inputIds[b * width + t] = BigInt(sequence[t]!);
        attentionMask[b * (past + width) + past + t] = 1n;
        realPositions.push(b * width + t);
      }
    }
  });
  return { inputIds, attentionMask, positionIds, realPositions };
}

// Copies the rows at `positions` of a [*, hidden] tensor into a dense n×hidden array.
function gatherRows(source: Float32Array, positions: readonly number[], hidden: number): Float32Array {
  const rows = new Float32Array(positions.length * hidden);
  positions.forEach((position, i) => rows.set(source.subarray(position * hidden, (position + 1) * hidden), i * hidden));
  return rows;
}

// target[position] += rows[i] for every real position.
function scatterAdd(target: Float32Array, rows: Float32Array, positions: readonly number[], hidden: number): void {
  positions.forEach((position, i) => {
    const base = position * hidden;
    const from = i * hidden;
    for (let h = 0; h < hidden; h++) target[base + h]! += rows[from + h]!;
  });
}
