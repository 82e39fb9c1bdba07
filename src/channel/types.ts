// The wireless channel's data types (PAPERS.md "Wireless channel defaults", "The method"): the cell the
// BS runs, each device's radio, rate traces, and the state of one link direction at one moment, which the
// policies (estimates), bs/ (the rate handed to the shaper) and sim all read. Types only; the
// functions live beside them (rate.ts, channel-model.ts, trace-*.ts, link-states.ts).
// Must not import anything outside node built-ins: testbed/ and policy/ import these types.

export type Direction = 'downlink' | 'uplink'; // downlink = BS → device, uplink = device → BS

// The BS's cell: shared by every device whose link is a channel (`bs.channel` in the testbed).
export interface CellParams {
  readonly downlinkBandwidthHz: number; // the BS's total bandwidth BS → devices, shared by the policy
  readonly uplinkBandwidthHz: number; // devices → BS
  readonly bsTxPowerDbm: number; // 43 dBm
  readonly noisePsdDbmPerHz: number; // −174 dBm/Hz
  readonly noiseFigureDb: number; // 9 dB (added to the noise PSD)
  // Path loss in dB = interceptDb + slopeDb · log10(distance / 1 km)  (128.1 + 37.6·log10(d/km)).
  readonly pathLoss: { readonly interceptDb: number; readonly slopeDb: number };
  readonly shadowingSigmaDb: number; // log-normal shadowing σ; 0 = off. Drawn once per device per run (seeded).
  readonly fading: 'rayleigh' | 'none'; // Rayleigh block fading: |h|² ~ Exp(1), redrawn every coherence block
  readonly coherenceMs: number; // block length on the channel clock
}

// One device's radio (`link.channel` of a device): where it is and how loud it transmits.
export interface DeviceRadio {
  readonly distanceM: number | null; // distance to the BS (path loss from CellParams.pathLoss)
  readonly pathGainDb: number | null; // explicit large-scale gain instead of distance (e.g. −95); exactly one of the two is set
  readonly txPowerDbm: number; // the device's transmit power (uplink): 23 dBm
}

// A measured rate trace, as a step function over time: step i is in force from startMs until the next
// step's startMs (the last one until durationMs). Read from CSV `t_ms,rate_bps[,delay_ms]` or from a
// Mahimahi packet-delivery trace (one line per 1500-byte delivery opportunity, binned).
export interface RateTrace {
  readonly file: string; // absolute path it was read from
  readonly format: 'csv' | 'mahimahi';
  readonly steps: readonly { readonly startMs: number; readonly rateBitsPerSec: number; readonly delayMs: number | null }[];
  readonly durationMs: number; // > the last step's startMs; the trace loops with this period
  readonly sha256?: string; // of the file's bytes, when read from a file (testbed fingerprints change with it)
  readonly binMs?: number; // Mahimahi only: the window delivery opportunities were counted in
}

// What a trace reader answers: the trace, or the 1-based line that is wrong (0: the file as a whole).
export type TraceReadResult =
  | { readonly ok: true; readonly trace: RateTrace }
  | { readonly ok: false; readonly line: number; readonly message: string };

// The state of one link direction at one moment, everything a policy needs to estimate a transfer and
// the shaper needs to make it real. `rateAtShare(state, share)` (rate.ts) gives the rate in force when
// the policy gives this device `share` ∈ [0, 1] of the BS's bandwidth in this direction.
export type LinkState =
  // A wired-like link of fixed (or trace-given) rate. With a pool (the testbed's `bs.bandwidth`), the rate in
  // force is min(rateBitsPerSec, share · poolBitsPerSec); without one, shares do not matter.
  | {
      readonly model: 'fixed';
      readonly rateBitsPerSec: number | null; // null = unlimited
      readonly poolBitsPerSec: number | null; // the BS's total in this direction; null = no shared pool
      readonly delayMs: number;
      readonly jitterMs: number;
      readonly lossRate: number;
    }
  // A wireless link: R(b) = b·B·log2(1 + snr / b), b the share of the BS's bandwidth B, snr = P·g/(N0·B)
  // the SNR if the device had the whole band (P the sender's power, g path gain × shadowing × fading).
  | {
      readonly model: 'shannon';
      readonly bandwidthHz: number; // B, the BS's total in this direction
      readonly snr: number; // linear, over the whole band
      readonly delayMs: number;
      readonly jitterMs: number;
      readonly lossRate: number;
    };

// Both directions of one device's link at one moment.
export interface DeviceLinkState {
  readonly downlink: LinkState;
  readonly uplink: LinkState;
}

// Which clock the channel and traces are read on (`bs.clock` in the testbed):
// item: item i of the run (every policy of that item alike) is at i · itemIntervalMs — reproducible and fair;
// wall: milliseconds since the run started — what a real testbed sees.
export interface LinkClock {
  readonly mode: 'item' | 'wall';
  readonly itemIntervalMs: number;
}

// What createLinkStates (link-states.ts) reads of a resolved testbed; testbed/'s `Testbed` fits it.
// Declared here, structurally, so channel/ stays a leaf that does not import testbed/.
export interface LinkDirectionSpec {
  readonly rateBitsPerSec: number | null;
  readonly delayMs: number;
  readonly jitterMs: number;
  readonly lossRate: number;
  readonly trace: RateTrace | null; // the rate (and delay where the trace has one) follows this trace
}

export interface LinkStatesInput {
  readonly bs: { readonly bandwidthBitsPerSec: number | null; readonly cell: CellParams | null };
  readonly devices: readonly {
    readonly link: { readonly downlink: LinkDirectionSpec; readonly uplink: LinkDirectionSpec; readonly radio: DeviceRadio | null };
  }[];
}
