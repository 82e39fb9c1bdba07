// Turns one forward pass's timings into the record lines: the results.jsonl line (DESIGN.md keys
// exactly) and the layers.jsonl lines. Pure; called by bench/run.ts.
import type { DeviceLossEvent, ForwardResult } from '../bs/index.js';
import type { LinkState } from '../channel/index.js';
import type { DeviceEventRecord, LayerRecord, LinkStateRecord, ResultRecord } from '../records/index.js';

const round = (ms: number) => Math.round(ms * 1000) / 1000;

interface ItemKey {
  dataset: string;
  policy: string;
  id: string;
}

// The results.jsonl line of a scored item.
export function toResultRecord(key: ItemKey, prediction: number | string, gold: number | string, tokens: number, forward: Pick<ForwardResult, 'timing' | 'experts'>): ResultRecord {
  const t = forward.timing;
  return {
    dataset: key.dataset,
    id: key.id,
    policy: key.policy,
    prediction,
    gold,
    correct: prediction === gold,
    n_tokens: tokens,
    latency_ms: {
      total: round(t.totalMs),
      breakdown: {
        bs_compute: round(t.bsComputeMs),
        uplink: round(t.uplinkMs),
        device_compute: round(t.deviceComputeMs),
        downlink: round(t.downlinkMs),
        other: round(t.otherMs),
      },
    },
    experts: { used: forward.experts.used, dropped: forward.experts.dropped },
  };
}

// The device-events.jsonl lines of one forward step of an item: devices lost, failovers, skipped experts.
export function toDeviceEventLines(key: ItemKey, step: number, forward: Pick<ForwardResult, 'layers'>, now = new Date()): DeviceEventRecord[] {
  return forward.layers.flatMap((layer) => layer.deviceEvents.map((event) => toDeviceEventLine(key, step, event, now)));
}

function toDeviceEventLine(key: ItemKey, step: number, event: DeviceLossEvent, now: Date): DeviceEventRecord {
  return {
    at: now.toISOString(), event: event.kind, device: event.device, dataset: key.dataset, id: key.id, policy: key.policy, step, layer: event.layer,
    reason: event.kind === 'down' ? `${event.failure}: ${event.reason}` : null,
    experts: event.kind === 'down' ? [] : event.experts,
    to: event.kind === 'failover' ? event.to : null,
    down_ms: null, attempts: null,
  };
}

// A link state as layers.jsonl records it (snr in dB, rounded so lines stay short).
export function toLinkStateRecord(state: LinkState): LinkStateRecord {
  const common = { delay_ms: round(state.delayMs), jitter_ms: round(state.jitterMs), loss: state.lossRate };
  if (state.model === 'fixed') return { model: 'fixed', rate_bits_per_sec: state.rateBitsPerSec, pool_bits_per_sec: state.poolBitsPerSec, ...common };
  return { model: 'shannon', bandwidth_hz: state.bandwidthHz, snr_db: Math.round(10 * Math.log10(state.snr) * 1000) / 1000, ...common };
}

// The layers.jsonl lines of one forward step of an item; `deviceNames` in testbed order (for link_states).
export function toLayerLines(key: ItemKey, step: number, forward: Pick<ForwardResult, 'layers'>, deviceNames: readonly string[]): LayerRecord[] {
  return forward.layers.map((layer) => ({
    ...key,
    step,
    layer: layer.layer,
    tokens: layer.tokens,
    experts: { kept: layer.keptSlots, dropped: layer.droppedSlots },
    bs_compute_ms: round(layer.bsComputeMs),
    latency_ms: round(layer.bsComputeMs + layer.wallMs),
    critical_device: layer.criticalDevice,
    devices: layer.devices.map((device) => ({
      device: device.device,
      experts: device.experts,
      rows: device.rows,
      downlink_bytes: device.downlinkBytes,
      uplink_bytes: device.uplinkBytes,
      share: Math.round(device.share * 1e6) / 1e6,
      estimated_ms: device.estimatedMs === null || !Number.isFinite(device.estimatedMs) ? null : round(device.estimatedMs),
      downlink_rate_bits_per_sec: device.downlinkRateBitsPerSec === null ? null : Math.round(device.downlinkRateBitsPerSec),
      uplink_rate_bits_per_sec: device.uplinkRateBitsPerSec === null ? null : Math.round(device.uplinkRateBitsPerSec),
      downlink_ms: round(device.downlinkMs),
      device_compute_ms: round(device.deviceComputeMs),
      uplink_ms: round(device.uplinkMs),
      total_ms: round(device.finishMs),
    })),
    channel_time_ms: layer.channelTimeMs,
    routing: layer.routing,
    link_states: layer.linkStates.map((state, d) => ({ device: deviceNames[d] ?? `#${d}`, downlink: toLinkStateRecord(state.downlink), uplink: toLinkStateRecord(state.uplink) })),
  }));
}
