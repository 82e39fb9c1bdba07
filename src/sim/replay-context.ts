// Rebuilds the PolicyContext a policy saw in a recorded layer: gate probabilities n×E with each token's
// recorded top-k probabilities (0 elsewhere: a policy reads only the top-k), the recorded link state of
// every device (snr back from dB), the devices' profile compute models and the run's placement.
// Pure; called by replay.ts.
import type { DeviceLinkState, LinkState } from '../channel/index.js';
import { UNLIMITED_LINK, buildDeviceEstimates, type PolicyContext } from '../policy/index.js';
import type { LayerRecord, LinkStateRecord } from '../records/index.js';
import type { ReplayRun } from './replay-run.js';

// A link state as layers.jsonl recorded it, back in the channel's form.
export function linkStateOfRecord(record: LinkStateRecord): LinkState {
  const common = { delayMs: record.delay_ms, jitterMs: record.jitter_ms, lossRate: record.loss };
  if (record.model === 'fixed') return { model: 'fixed', rateBitsPerSec: record.rate_bits_per_sec, poolBitsPerSec: record.pool_bits_per_sec, ...common };
  return { model: 'shannon', bandwidthHz: record.bandwidth_hz, snr: 10 ** (record.snr_db / 10), ...common };
}

// The n×E gate probabilities of a recorded layer (top-k entries set, the rest 0).
export function gateProbsOfRouting(routing: NonNullable<LayerRecord['routing']>, tokens: number, numExperts: number): Float32Array {
  const probs = new Float32Array(tokens * numExperts);
  for (let token = 0; token < tokens; token++) {
    for (let j = 0; j < routing.k; j++) {
      const entry = token * routing.k + j;
      probs[token * numExperts + routing.experts[entry]!] = routing.probs[entry]!;
    }
  }
  return probs;
}

// The context of `line` (a format-2 layers.jsonl line of `run`), with `random` for stochastic policies.
export function contextOfRecord(run: ReplayRun, line: LayerRecord, random: () => number): PolicyContext {
  const states: DeviceLinkState[] = run.devices.map((device) => {
    const recorded = line.link_states!.find((state) => state.device === device.name);
    // bench records every device; one missing (a placement-local run) is unshaped, as bench's view of it was.
    return recorded === undefined
      ? { downlink: UNLIMITED_LINK, uplink: UNLIMITED_LINK }
      : { downlink: linkStateOfRecord(recorded.downlink), uplink: linkStateOfRecord(recorded.uplink) };
  });
  return {
    layer: line.layer,
    tokens: line.tokens,
    numExperts: run.numExperts,
    topK: run.topK,
    normalizeTopK: run.normalizeTopK,
    gateProbs: gateProbsOfRouting(line.routing!, line.tokens, run.numExperts),
    hiddenSize: run.hiddenSize,
    bytesPerValue: 4,
    devices: buildDeviceEstimates(run.devices, states),
    expertDevices: run.expertDevices[line.layer] ?? [],
    random,
  };
}
