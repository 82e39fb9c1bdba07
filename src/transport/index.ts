export { DeviceClient, type DeviceClientOptions, type RequestOptions, type RunOptions } from './client.js';
export { ClientPool, type ClientPoolOptions, type PoolDevice } from './pool.js';
export { DeviceError, ProtocolError, type DevicePhase, type DeviceFailure, type ProtocolErrorCode } from './errors.js';
export type { RunRequest, RunReply, RunTiming, DeviceInfo, ExpertKey, LinkInForce } from './types.js';
export type { WireDtype } from './dtype.js';
export {
  PROTOCOL_VERSION, HEADER_BYTES, DEFAULT_FRAME_LIMITS, FRAME_TYPES, WIRE_ERROR_CODES, resolveFrameLimits,
  type FrameHeader, type FrameLimits, type FrameType, type WireErrorCode,
} from './frame-header.js';
export {
  NO_EXPERT, encodeFrame, decodeFrame, encodeRun, encodeRunParts, encodeRunInto, runFrameBytes, encodeResult, encodeResultParts, encodeResultInto, resultFrameBytes, encodeError, encodeChallenge, encodeWelcome, encodeStats,
  type Frame, type RunFrame, type ResultFrame, type AgentStats,
} from './frame.js';
export {
  AGENT_INFO_SCHEMA, encodeAgentJson, decodeAgentRuntimeInfo, decodeAgentTelemetry,
  type AgentRuntimeInfo, type AgentTelemetry, type ClockState, type EnergyCounters,
} from './agent-info.js';
export { FrameReader, type FrameInspector, type ReceivedFrame } from './frame-reader.js';
export { FrameWriter, COPY_LIMIT_BYTES } from './frame-writer.js';
export { computeProof, verifyProof, createNonce } from './handshake.js';
export { PayloadPool, POOLED_MIN_BYTES, POOLED_MAX_BYTES, type PayloadLease, type PayloadPoolOptions } from './payload-pool.js';
