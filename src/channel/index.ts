// Public API of the channel piece: the wireless model (path loss, fading, SNR → rate at a share) and rate traces.
export type { CellParams, DeviceRadio, DeviceLinkState, Direction, LinkClock, LinkState, RateTrace } from './types.js';
export { clampShare, dbmToWatts, dbToLinear, linearToDb, rateAtShare, shannonRateBitsPerSec } from './rate.js';
export { largeScaleGainDb, pathLossDb } from './path-loss.js';
export { rayleighPowerGain, shadowingDb } from './fading.js';
export { bandwidthHzOf, coherenceBlockAt, fadingGainAt, meanSnr, snrAt } from './channel-model.js';
export { ChannelError, TraceError } from './errors.js';
