export { forwardSequences, type ForwardSetup, type ForwardResult, type LayerRecord, type KvCache } from './forward.js';
export { dispatchLayer, planLayerRequests, type DeviceChannel, type DeviceLayerRecord, type DeviceRunRequest, type DeviceRunTiming } from './dispatch.js';
export { createLocalChannel } from './local-channel.js';
export { emptyTiming, addTiming, type LatencyBreakdown } from './timing.js';
export { generateGreedy, type GenerateOptions, type GenerateResult } from './generate.js';
