// Public API of the channel piece: the wireless model (path loss, fading, SNR → rate at a share), rate traces,
// and the link states of a testbed's devices over time.
export type { CellParams, DeviceRadio, DeviceLinkState, Direction, LinkClock, LinkDirectionSpec, LinkState, LinkStatesInput, RateTrace, TraceReadResult } from './types.js';
export { clampShare, dbmToWatts, dbToLinear, linearToDb, rateAtShare, shannonRateBitsPerSec } from './rate.js';
export { largeScaleGainDb, pathLossDb } from './path-loss.js';
export { rayleighPowerGain, shadowingDb } from './fading.js';
export { bandwidthHzOf, coherenceBlockAt, fadingGainAt, meanSnr, snrAt } from './channel-model.js';
export { parseCsvTrace } from './trace-csv.js';
export { DEFAULT_MAHIMAHI_BIN_MS, MAHIMAHI_PACKET_BYTES, parseMahimahiTrace } from './trace-mahimahi.js';
export { loadTraceFile, parseTrace, readTraceFile, traceFormatOf, type ReadTraceOptions, type TraceFormat } from './trace-read.js';
export { outageEndAt, traceStepAt, type TraceStep } from './trace-sample.js';
export { createLinkStates, type LinkStates, type LinkStatesOptions } from './link-states.js';
export { channelTimeMs } from './link-clock.js';
export { ChannelError, TraceError } from './errors.js';
