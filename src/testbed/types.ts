// The resolved, readonly testbed every other piece consumes (docs/contracts.md "Testbed"),
// plus the issue, source and profile types the testbed piece reports with.
// Only testbed/ ever sees `TestbedFile` (what the user wrote, schema.ts); everyone else sees `Testbed`.
// Must not import anything outside node built-ins and channel/'s types: the agent may read these types.
import type { CellParams, DeviceRadio, LinkClock, RateTrace } from '../channel/types.js';

// A device's name as written in the testbed; branded so it cannot be mixed with hosts or keys.
export type DeviceName = string & { readonly __brand: 'DeviceName' };

// One expert of one layer: `${layer}.${expert}`, e.g. "3.7".
export type ExpertKey = `${number}.${number}`;

// One direction of a device's link. rateBitsPerSec null = not rate-limited (or following `trace`).
export interface LinkDirection {
  readonly rateBitsPerSec: number | null;
  readonly delayMs: number;
  readonly jitterMs: number;
  readonly lossRate: number;
  // A rate trace this direction replays (`trace:` in the testbed; rateBitsPerSec is then null); null = none.
  readonly trace: RateTrace | null;
}

// Directions follow wireless usage: downlink = BS → device, uplink = device → BS.
export interface DeviceLink {
  readonly uplink: LinkDirection;
  readonly downlink: LinkDirection;
  // The device's radio (`link.channel`): its rates come from the cell (Testbed.bs.cell); null = fixed/trace links.
  readonly radio: DeviceRadio | null;
}

export interface DeviceSsh {
  readonly user: string;
  readonly keyPath: string | null;
  // null: ~/.ssh/config's UserKnownHostsFile, else ~/.ssh/known_hosts (resolved by deploy).
  readonly knownHostsPath: string | null;
  readonly port: number;
}

export interface DeviceSpec {
  readonly name: DeviceName;
  readonly host: string;
  readonly port: number;
  readonly ssh: DeviceSsh;
  readonly profile: string;
  readonly link: DeviceLink;
  readonly agentDir: string;
  readonly runtime: AgentRuntime;
  readonly executionProvider: 'auto' | 'cpu' | 'cuda'; // what WELCOME must report (auto: anything)
  readonly isCpuFallbackAllowed: boolean; // cuda asked, cpu reported: accepted
  readonly powerMode: string; // the nvpmodel mode preflight expects on a Jetson
  // runtime python: the interpreter the testbed names (ssh: as written, a path on the device; loopback:
  // resolved against the YAML file when it is a path), or null for the default (docs/testbed.md `python`).
  readonly python: string | null;
}

// Which agent serves a device (docs/testbed.md `runtime`).
export type AgentRuntime = 'node' | 'python';

// A device's compute profile (profiles/<name>.yaml), used by the simulator and policies.
export interface DeviceProfile {
  readonly name: string;
  readonly description: string;
  readonly fp32Gflops: number;
  readonly memoryGiB: number;
  readonly computeModel: { readonly fixedMs: number; readonly perTokenMs: number };
  readonly isEstimate: boolean; // compute_model not measured on the device yet
  readonly source: string;
  readonly file: string;
}

// A link profile (profiles/links/<name>.yaml) a device's `link.profile` can name.
export interface LinkProfile {
  readonly name: string;
  readonly description: string;
  readonly link: DeviceLink;
  readonly file: string;
}

// Where one resolved setting came from (`--verbose`).
export type SettingSource =
  | { readonly kind: 'yaml'; readonly file: string; readonly line: number; readonly col: number }
  | { readonly kind: 'profile'; readonly name: string; readonly file: string }
  | { readonly kind: 'default'; readonly note?: string };

export type ShapingMode = 'userspace' | 'tc' | 'auto';
export type TestbedMode = 'loopback' | 'ssh';

export interface Testbed {
  readonly file: string;
  readonly name: string;
  readonly mode: TestbedMode;
  readonly modelDir: string;
  readonly shaping: ShapingMode;
  readonly auth: { readonly token: string };
  readonly bs: {
    readonly host: string;
    readonly bandwidthBitsPerSec: number | null;
    readonly cell: CellParams | null; // `bs.channel`: the wireless cell radio devices share; null = none
    readonly clock: LinkClock; // which clock the channel and traces are read on
  };
  readonly devices: readonly DeviceSpec[];
  // Every expert of every layer (layer-major order), each on ≥ 1 device.
  readonly placement: ReadonlyMap<ExpertKey, readonly DeviceName[]>;
  readonly timeouts: { readonly connectMs: number; readonly requestMs: number };
  // The model's shape the placement was checked against.
  readonly model: { readonly numLayers: number; readonly numExperts: number };
  // The device profiles the devices name, by name.
  readonly profiles: ReadonlyMap<string, DeviceProfile>;
  // Where each resolved setting came from, keyed by field path (e.g. `devices[dev-0].link.uplink.rate`).
  readonly sources: ReadonlyMap<string, SettingSource>;
}

// One located problem: `file:line:col field: message`. line/col are 1-based.
export interface TestbedIssue {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly field: string;
  readonly message: string;
}

export interface ModelShape {
  readonly numLayers: number;
  readonly numExperts: number;
}
