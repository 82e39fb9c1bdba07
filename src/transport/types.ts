// The request/reply shapes of the transport as the BS and the agent see them (docs/contracts.md
// "Transport"). Types only; the wire form is in frame-run.ts.
import type { AgentRuntimeInfo } from './agent-info.js';

// One expert of one layer: `${layer}.${expert}` (the same template type as testbed's ExpertKey).
export type ExpertKey = `${number}.${number}`;

// What one device must compute for one layer: rows×hidden states and per row k (expert, weight) slots.
export interface RunRequest {
  layer: number;
  hidden: number;
  rows: number;
  k: number;
  states: Float32Array; // rows×hidden, row-major
  experts: Uint16Array; // rows×k, 0xFFFF = none
  weights: Float32Array; // rows×k
}

// Where one request's time went (performance.now() ms on the BS) and what it put on the links.
export interface RunTiming {
  sendStartMs: number; // run() called
  // RUN frame "arrived" at the device (shaped) and was written to the socket; on links timed on the
  // wire (tc, DeviceClientOptions.isTimedOnWire) plus the measured time it then took to reach the device.
  downlinkDoneMs: number;
  // RESULT frame fully read from the socket; on links timed on the wire, that minus the measured time
  // it spent on the uplink (the moment it left the device, on the BS's clock).
  resultReceivedMs: number;
  deliveredMs: number; // RESULT "arrived" over the shaped uplink; run() resolves now
  deviceComputeMs: number; // the agent's own measurement
  downlinkBytes: number; // RUN frame, header included
  uplinkBytes: number; // RESULT frame, header included
  downlinkRateBitsPerSec: number | null; // the rate the downlink shaper sent the RUN at; null = unshaped
  uplinkRateBitsPerSec: number | null; // the rate the uplink shaper delivered the RESULT at; null = unshaped
}

// The rate (and delay) in force for one transfer of one RUN: channel state × the policy's bandwidth share.
export interface LinkInForce {
  rateBitsPerSec: number | null; // null = not rate-limited
  delayMs?: number; // default: the shaper's spec
}

export interface RunReply {
  output: Float32Array; // rows×hidden, Σ w·expert(x) over this device's slots
  timing: RunTiming;
  // Present when `output` views a pooled receive buffer (a large RESULT that spanned socket chunks).
  // Call it once you no longer read `output` (or any view of it): the client may then read a later
  // RESULT into that memory. Optional to call: a reply never released is garbage-collected as before.
  // Extra calls do nothing. Never call it while `output` is still in use (e.g. kept in a cache).
  release?: () => void;
}

// What the agent said about itself in the handshake.
export interface DeviceInfo {
  device: string; // the name the agent was started with
  experts: ExpertKey[];
  protocolVersion: number;
  limits: { maxPayloadBytes: number; maxRows: number; maxHidden: number; maxK: number };
  runtime: AgentRuntimeInfo; // runtime, engine, execution provider, OS, board; telemetry at the handshake
}
