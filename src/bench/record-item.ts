// Turns one forward pass's timings into the record lines: the results.jsonl line (DESIGN.md keys
// exactly) and the layers.jsonl lines. Pure; called by bench/run.ts.
import type { ForwardResult } from '../bs/index.js';
import type { DeviceEstimate } from '../policy/index.js';
import type { LayerRecord, ResultRecord } from '../records/index.js';

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

// The layers.jsonl lines of one forward step of an item.
export function toLayerLines(key: ItemKey, step: number, forward: Pick<ForwardResult, 'layers'>, devices: readonly DeviceEstimate[]): LayerRecord[] {
  const byName = new Map(devices.map((device) => [device.name, device]));
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
      downlink_rate_bits_per_sec: byName.get(device.device)?.downlink.rateBitsPerSec ?? null,
      uplink_rate_bits_per_sec: byName.get(device.device)?.uplink.rateBitsPerSec ?? null,
      downlink_ms: round(device.downlinkMs),
      device_compute_ms: round(device.deviceComputeMs),
      uplink_ms: round(device.uplinkMs),
      total_ms: round(device.finishMs),
    })),
  }));
}
