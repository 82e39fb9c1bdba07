export type { LinkDirection, LinkShaper, TransmitTiming, ShaperName, ShaperFactory, ShaperOptions, JitterDistribution } from './types.js';
export { expectedTransferMs, serializationMs, lossPenaltyMs, segmentCount, SEGMENT_BYTES, MIN_RTO_MS } from './link-model.js';
export { LinkSchedule } from './token-bucket.js';
export { UserspaceShaper, UnshapedLink, waitUntil } from './userspace-shaper.js';
export { SHAPERS, createShaper } from './shapers.js';
export { SeededRandom } from './random.js';
