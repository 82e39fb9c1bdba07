// Cross-field rules over a normalised testbed, each a named `Rule = (context) => void` that reports
// located errors or warnings (changesets `rules.ts`). They never read files: load.ts reads the
// model shape and the token file first and hands the outcome in `context.external`.
// Called by load.ts; imports only testbed modules.
import { hasValueAt, issueAt, type FieldPath, type YamlSource } from './locate.js';
import type { ExternalInputs } from './normalise.js';
import { parseExpertSpec } from './placement.js';
import type { ParsedTestbedFile } from './schema.js';
import type { Testbed, TestbedIssue } from './types.js';
import { formatRate, isBytesPerSecondRate, parseRate } from '../core/index.js';
import { suggestKey } from './zod-issues.js';

export interface RuleContext {
  readonly source: YamlSource;
  readonly parsed: ParsedTestbedFile;
  readonly testbed: Testbed;
  readonly external: ExternalInputs;
  error(path: FieldPath, message: string): void;
  warn(path: FieldPath, message: string): void;
}

export type Rule = (context: RuleContext) => void;

const LOOPBACK_HOSTS = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;
const MIN_TOKEN_LENGTH = 16;

// The model bundle directory exists and has a readable manifest with the model's shape.
export const modelBundleExists: Rule = ({ external, parsed, error }) => {
  if (!external.model.ok) error(parsed.model === undefined ? [] : ['model'], external.model.message);
};

// auth.token_file names a readable file holding a non-empty token.
export const tokenFileReadable: Rule = ({ external, error }) => {
  if (!external.token.ok) error(['auth', 'token_file'], external.token.message);
};

// Short tokens are easy to guess on a shared network.
export const tokenLongEnough: Rule = ({ testbed, parsed, warn }) => {
  const length = testbed.auth.token.length;
  if (length > 0 && length < MIN_TOKEN_LENGTH) {
    warn(['auth', parsed.auth.token === undefined ? 'token_file' : 'token'], `token is ${length} characters; use at least ${MIN_TOKEN_LENGTH}`);
  }
};

// No two devices share a name.
export const uniqueDeviceNames: Rule = ({ testbed, error }) => {
  const first = new Map<string, number>();
  testbed.devices.forEach((device, index) => {
    const earlier = first.get(device.name);
    if (earlier === undefined) first.set(device.name, index);
    else error(['devices', index, 'name'], `duplicate device name "${device.name}" (also devices[${earlier}])`);
  });
};

// No two devices listen on the same host:port.
export const uniqueEndpoints: Rule = ({ testbed, parsed, error }) => {
  const first = new Map<string, number>();
  testbed.devices.forEach((device, index) => {
    // localhost is 127.0.0.1; other loopback addresses (127.0.0.2, ::1) are distinct endpoints.
    const host = device.host.toLowerCase() === 'localhost' ? '127.0.0.1' : device.host.toLowerCase();
    const endpoint = `${host}:${device.port}`;
    const earlier = first.get(endpoint);
    if (earlier === undefined) first.set(endpoint, index);
    else {
      const path: FieldPath = parsed.devices[index]?.port !== undefined ? ['devices', index, 'port'] : ['devices', index];
      error(path, `duplicate address ${endpoint} (also devices[${earlier}] "${testbed.devices[earlier]!.name}")`);
    }
  });
};

// Loopback mode runs every agent on this machine, so hosts must be loopback addresses.
export const loopbackHostsAreLocal: Rule = ({ testbed, error }) => {
  if (testbed.mode !== 'loopback') return;
  testbed.devices.forEach((device, index) => {
    if (!LOOPBACK_HOSTS.test(device.host)) error(['devices', index, 'host'], `expected a loopback address (127.x.x.x, ::1, localhost) in loopback mode, got "${device.host}"`);
  });
};

// Every device a placement map names is a device of the testbed.
export const placementNamesDevices: Rule = ({ parsed, testbed, error }) => {
  if (parsed.placement === 'round-robin') return;
  const names = testbed.devices.map((device) => device.name as string);
  for (const device of Object.keys(parsed.placement)) {
    if (!names.includes(device)) error(['placement', device], `unknown device "${device}"${suggestKey(device, names)}`);
  }
};

// Every expert spec lies within the model's layers and experts.
export const placementExpertsExist: Rule = ({ parsed, external, error }) => {
  if (parsed.placement === 'round-robin' || !external.model.ok) return;
  const { numLayers, numExperts } = external.model.shape;
  for (const [device, specs] of Object.entries(parsed.placement)) {
    specs.forEach((text, index) => {
      const spec = parseExpertSpec(text);
      if (spec.layer !== '*' && spec.layer >= numLayers) error(['placement', device, index], `layer ${spec.layer} does not exist (the model has layers 0–${numLayers - 1})`);
      if (spec.expert !== '*' && spec.expert >= numExperts) error(['placement', device, index], `expert ${spec.expert} does not exist (the model has experts 0–${numExperts - 1} per layer)`);
    });
  }
};

// Every expert of every layer is on at least one device.
export const everyExpertPlaced: Rule = ({ testbed, external, parsed, error }) => {
  if (!external.model.ok) return;
  const missing = [...testbed.placement].filter(([, holders]) => holders.length === 0).map(([key]) => key);
  if (missing.length === 0) return;
  const shown = missing.slice(0, 8).join(', ') + (missing.length > 8 ? ` and ${missing.length - 8} more` : '');
  error(parsed.placement === 'round-robin' ? [] : ['placement'], `${missing.length} expert(s) are on no device: ${shown} (layer.expert)`);
};

// A device that holds no expert is probably a mistake in the placement.
export const everyDeviceUsed: Rule = ({ testbed, external, warn }) => {
  if (!external.model.ok) return;
  const used = new Set([...testbed.placement.values()].flat());
  testbed.devices.forEach((device, index) => {
    if (!used.has(device.name)) warn(['devices', index, 'name'], `device "${device.name}" holds no expert`);
  });
};

// `12mbps` means megaBYTES per second in tc's units; say so, since people often mean megabits.
export const bytesPerSecondRatesNoted: Rule = ({ source, warn }) => {
  const visit = (node: unknown, path: FieldPath): void => {
    if (Array.isArray(node)) node.forEach((item, index) => visit(item, [...path, index]));
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'rate' || key === 'bandwidth') && isBytesPerSecondRate(value)) {
          const bits = parseRate(value);
          const meant = String(value).replace(/(i?)bps\s*$/i, '$1bit');
          warn([...path, key], `"${String(value)}" is bytes per second in tc units (= ${formatRate(bits.ok ? bits.value : null)}); write "${meant}" if you meant bits`);
        } else visit(value, [...path, key]);
      }
    }
  };
  visit(source.doc.toJS(), []);
};

// Kernel shaping (tc) sets rates with htb and bench adds delay and jitter in userspace (no netem), but
// nothing drops packets on an interface wdmoe did not shape itself: say that such a testbed's loss is
// the userspace shaper's model of TCP's cost (`loopback up --netns` drops real packets with nftables).
export const tcLossModelled: Rule = ({ testbed, warn }) => {
  if (testbed.shaping !== 'tc') return;
  const lossy = testbed.devices.filter((device) => device.link.uplink.lossRate > 0 || device.link.downlink.lossRate > 0);
  if (lossy.length > 0) {
    warn(['shaping'], `shaping "tc": the loss of ${lossy.map((device) => device.name).join(', ')} is the userspace shaper's model of TCP's cost (no packets dropped); \`wdmoe loopback up --netns\` drops real packets with nftables`);
  }
};

// Every trace file the testbed names was read: the error points at the YAML field and names trace-file:line.
export const tracesReadable: Rule = ({ external, error }) => {
  for (const trace of external.traces.values()) {
    if (trace.result.ok) continue;
    const where = trace.result.line > 0 ? `${trace.file}:${trace.result.line}` : trace.file;
    error(trace.path, `bad trace "${trace.written}" (${where}): ${trace.result.message}`);
  }
};

// The `link.channel` nodes of the file: defaults.link.channel and each device's.
function channelPaths(parsed: ParsedTestbedFile): FieldPath[] {
  const paths: FieldPath[] = parsed.defaults.link.channel !== undefined ? [['defaults', 'link', 'channel']] : [];
  parsed.devices.forEach((device, index) => {
    if (device.link?.channel !== undefined) paths.push(['devices', index, 'link', 'channel']);
  });
  return paths;
}

// A radio link needs the cell it lives in.
export const channelNeedsCell: Rule = ({ parsed, error }) => {
  if (parsed.bs.channel !== undefined) return;
  for (const path of channelPaths(parsed)) {
    error(path, 'link.channel needs the cell: add bs.channel (e.g. bs: {channel: {bandwidth: 20MHz}}), or give this link fixed rates instead');
  }
};

// A cell no device uses is probably a forgotten link.channel.
export const cellUsed: Rule = ({ parsed, warn }) => {
  if (parsed.bs.channel !== undefined && channelPaths(parsed).length === 0) warn(['bs', 'channel'], 'bs.channel is set but no device has link.channel, so no link uses it');
};

// A radio device takes both directions' rates from the channel: a fixed rate or a trace beside it is a contradiction.
export const channelLinksHaveNoRate: Rule = ({ testbed, source, error }) => {
  testbed.devices.forEach((device, index) => {
    if (device.link.radio === null) return;
    for (const direction of ['downlink', 'uplink'] as const) {
      const spec = device.link[direction];
      if (spec.rateBitsPerSec === null && spec.trace === null) continue;
      const origin = testbed.sources.get(`devices[${device.name}].link.${direction}.rate`);
      const where = origin?.kind === 'yaml' ? ` (set at ${origin.file}:${origin.line})` : origin?.kind === 'profile' ? ` (from link profile ${origin.name})` : '';
      const what = spec.trace !== null ? 'trace' : 'rate';
      const path: FieldPath = hasValueAt(source, ['devices', index, 'link', 'channel']) ? ['devices', index, 'link', 'channel'] : ['defaults', 'link', 'channel'];
      error(path, `device "${device.name}" has link.channel, which gives its rates, and also a ${direction} ${what}${where}; remove one of them`);
    }
  });
};

// A device's own `python` means nothing to the Node agent: probably a forgotten `runtime: python`.
export const pythonNeedsPythonRuntime: Rule = ({ parsed, testbed, warn }) => {
  testbed.devices.forEach((device, index) => {
    if (device.runtime === 'node' && parsed.devices[index]?.python !== undefined) {
      warn(['devices', index, 'python'], `device "${device.name}" runs the Node agent (runtime: node), which uses no python interpreter; add runtime: python or remove python`);
    }
  });
};

// `replicas` spreads a round-robin placement; it needs that many devices and means nothing next to a map.
export const replicasFitPlacement: Rule = ({ parsed, testbed, error }) => {
  if (parsed.replicas === 1) return;
  if (parsed.placement !== 'round-robin') {
    error(['replicas'], `replicas: ${parsed.replicas} applies to placement: round-robin only; with a placement map, list each expert on every device that should hold it (or remove replicas)`);
  } else if (parsed.replicas > testbed.devices.length) {
    error(['replicas'], `replicas: ${parsed.replicas} needs at least ${parsed.replicas} devices (the testbed has ${testbed.devices.length}); lower it or add devices`);
  }
};

// All rules, in the order their findings are most useful to read.
export const RULES: readonly Rule[] = [
  modelBundleExists, tokenFileReadable, tokenLongEnough, uniqueDeviceNames, uniqueEndpoints, loopbackHostsAreLocal,
  placementNamesDevices, placementExpertsExist, replicasFitPlacement, everyExpertPlaced, everyDeviceUsed, bytesPerSecondRatesNoted, tcLossModelled,
  tracesReadable, channelNeedsCell, cellUsed, channelLinksHaveNoRate, pythonNeedsPythonRuntime,
];

// Runs `rules` and returns their errors and warnings, each located.
export function runRules(
  rules: readonly Rule[],
  base: Omit<RuleContext, 'error' | 'warn'>,
): { errors: TestbedIssue[]; warnings: TestbedIssue[] } {
  const errors: TestbedIssue[] = [];
  const warnings: TestbedIssue[] = [];
  const context: RuleContext = {
    ...base,
    error: (path, message) => errors.push(issueAt(base.source, path, message)),
    warn: (path, message) => warnings.push(issueAt(base.source, path, message)),
  };
  for (const rule of rules) rule(context);
  return { errors, warnings };
}
