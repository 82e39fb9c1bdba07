export { forwardSequences, type ForwardSetup, type ForwardResult, type LayerRecord } from './forward.js';
export { dispatchLayer, planLayerRequests, type DeviceChannel, type DeviceLayerRecord, type DeviceRunRequest, type DeviceRunTiming } from './dispatch.js';
export { createLocalChannel } from './local-channel.js';
export { emptyTiming, addTiming, type LatencyBreakdown } from './timing.js';
