// Turns the schema-parsed file into the resolved `Testbed`: paths made absolute (relative to the YAML
// file), device settings inherited from `defaults`, profiles looked up, placement expanded, and the
// source of every setting recorded. Problems found here (unknown profile, missing host) are pushed
// as located issues; cross-field checks live in rules.ts. Called by load.ts.
import { homedir, userInfo } from 'node:os';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasValueAt, issueAt, positionOf, type FieldPath, type YamlSource } from './locate.js';
import type { ModelShapeResult } from './model-shape.js';
import { expandPlacement } from './placement.js';
import { findProfile, listProfiles, readDeviceProfile, readLinkProfile, type ProfileKind } from './profiles.js';
import type { TraceInput } from './read-traces.js';
import { resolveCell } from './resolve-channel.js';
import { resolveLink, type LinkLayer } from './resolve-link.js';
import type { ParsedTestbedFile } from './schema.js';
import type { DeviceName, DeviceProfile, DeviceSpec, LinkProfile, SettingSource, Testbed, TestbedIssue } from './types.js';
import { suggestKey } from './zod-issues.js';

// What load.ts read from outside the YAML before normalising.
export interface ExternalInputs {
  readonly modelDir: string;
  readonly model: ModelShapeResult;
  readonly token: { readonly ok: true; readonly token: string } | { readonly ok: false; readonly message: string };
  // Every `trace:` of the file, read (read-traces.ts), keyed by the formatted path of its node.
  readonly traces: ReadonlyMap<string, TraceInput>;
}

export interface NormaliseContext {
  readonly source: YamlSource;
  readonly parsed: ParsedTestbedFile;
  readonly external: ExternalInputs;
  readonly profileDirs: readonly string[];
  readonly issues: TestbedIssue[];
}

// The bundled default model, used when the testbed names none.
export const BUNDLED_MODEL_DIR = fileURLToPath(new URL('../../models/tiny-mixtral', import.meta.url));

// Resolves a user path: `~` is the home directory, relative paths are relative to the YAML file.
export function resolveUserPath(yamlFile: string, path: string): string {
  if (path === '~' || path.startsWith('~/')) return join(homedir(), path.slice(1));
  return isAbsolute(path) ? path : resolve(dirname(yamlFile), path);
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'root';
  }
}

// Records where settings came from and looks profiles up once each.
class Resolver {
  readonly sources = new Map<string, SettingSource>();
  readonly deviceProfiles = new Map<string, DeviceProfile>();
  private readonly linkProfiles = new Map<string, LinkProfile | null>();

  constructor(private readonly context: NormaliseContext) {}

  // Notes the source of `field`: the YAML value at the first of `paths` that exists, else a default.
  note(field: string, paths: readonly FieldPath[], note?: string): void {
    const { source } = this.context;
    const path = paths.find((candidate) => hasValueAt(source, candidate));
    this.sources.set(field, path ? { kind: 'yaml', file: source.file, ...positionOf(source, path) } : { kind: 'default', ...(note ? { note } : {}) });
  }

  private unknownProfile(kind: ProfileKind, name: string, path: FieldPath): void {
    const known = listProfiles(kind, this.context.profileDirs);
    const where = kind === 'link' ? 'profiles/links/' : 'profiles/';
    this.context.issues.push(issueAt(this.context.source, path, `unknown ${kind} profile "${name}" (no ${where}${name}.yaml)${suggestKey(name, known)}`));
  }

  deviceProfile(name: string, path: FieldPath): void {
    if (this.deviceProfiles.has(name)) return;
    const file = findProfile('device', name, this.context.profileDirs);
    if (!file) return this.unknownProfile('device', name, path);
    const result = readDeviceProfile(file);
    if (result.ok) this.deviceProfiles.set(name, result.value);
    else this.context.issues.push(...result.issues);
  }

  linkProfile(name: string, path: FieldPath): LinkProfile | null {
    if (this.linkProfiles.has(name)) return this.linkProfiles.get(name)!;
    const file = findProfile('link', name, this.context.profileDirs);
    const result = file ? readLinkProfile(file) : null;
    if (!file) this.unknownProfile('link', name, path);
    else if (result && !result.ok) this.context.issues.push(...result.issues);
    const profile = result?.ok ? result.value : null;
    this.linkProfiles.set(name, profile);
    return profile;
  }
}

function resolveDevice(context: NormaliseContext, resolver: Resolver, index: number): DeviceSpec {
  const { parsed, source } = context;
  const device = parsed.devices[index]!;
  const defaults = parsed.defaults;
  const at: FieldPath = ['devices', index];
  const field = (name: string) => `devices[${device.name}].${name}`;
  const isLoopback = parsed.mode === 'loopback';

  if (device.host === undefined && !isLoopback) context.issues.push(issueAt(source, [...at, 'host'], 'required key is missing (ssh mode needs each device\'s host)'));
  resolver.note(field('host'), [[...at, 'host']], 'loopback address');
  resolver.note(field('port'), [[...at, 'port'], ['defaults', 'port']], isLoopback ? 'defaults.port + device index' : 'defaults.port');
  resolver.note(field('ssh.user'), [[...at, 'ssh', 'user'], ['defaults', 'ssh', 'user']], 'local user');
  resolver.note(field('ssh.key'), [[...at, 'ssh', 'key'], ['defaults', 'ssh', 'key']], 'ssh agent / default keys');
  resolver.note(field('ssh.port'), [[...at, 'ssh', 'port'], ['defaults', 'ssh', 'port']]);
  resolver.note(field('ssh.known_hosts'), [[...at, 'ssh', 'known_hosts'], ['defaults', 'ssh', 'known_hosts']], '~/.ssh/config or ~/.ssh/known_hosts');
  resolver.note(field('profile'), [[...at, 'profile'], ['defaults', 'profile']]);
  resolver.note(field('agent_dir'), [[...at, 'agent_dir'], ['defaults', 'agent_dir']]);
  resolver.note(field('runtime'), [[...at, 'runtime'], ['defaults', 'runtime']]);
  resolver.note(field('execution_provider'), [[...at, 'execution_provider'], ['defaults', 'execution_provider']]);
  resolver.note(field('allow_cpu_fallback'), [[...at, 'allow_cpu_fallback'], ['defaults', 'allow_cpu_fallback']]);
  resolver.note(field('power_mode'), [[...at, 'power_mode'], ['defaults', 'power_mode']]);
  resolver.note(field('python'), [[...at, 'python'], ['defaults', 'python']], isLoopback ? '$WDMOE_PYTHON, else python3' : 'python3 on the ssh PATH');

  const profile = device.profile ?? defaults.profile;
  resolver.deviceProfile(profile, device.profile !== undefined ? [...at, 'profile'] : ['defaults', 'profile']);

  const layers: LinkLayer[] = [];
  const addLinkLayers = (link: ParsedTestbedFile['defaults']['link'] | undefined, path: FieldPath) => {
    if (!link) return;
    const linkProfile = link.profile === undefined ? null : resolver.linkProfile(link.profile, [...path, 'profile']);
    if (linkProfile) layers.push({ kind: 'profile', profile: linkProfile });
    layers.push({ kind: 'yaml', link, path, source });
  };
  addLinkLayers(defaults.link, ['defaults', 'link']);
  addLinkLayers(device.link, [...at, 'link']);
  const link = resolveLink(layers, context.external.traces);
  for (const [name, origin] of link.sources) resolver.sources.set(field(`link.${name}`), origin);
  if (link.radio.channelPath !== null && link.radio.radio === null) {
    context.issues.push(issueAt(source, link.radio.channelPath, 'expected distance_m or path_gain_db (exactly one) to place the device, got neither'));
  }

  const key = device.ssh?.key ?? defaults.ssh.key;
  const knownHosts = device.ssh?.known_hosts ?? defaults.ssh.known_hosts;
  return Object.freeze({
    name: device.name as DeviceName,
    host: device.host ?? '127.0.0.1',
    port: device.port ?? defaults.port + (isLoopback ? index : 0),
    ssh: Object.freeze({
      user: device.ssh?.user ?? defaults.ssh.user ?? localUser(),
      keyPath: key === undefined ? null : resolveUserPath(source.file, key),
      port: device.ssh?.port ?? defaults.ssh.port ?? 22,
      knownHostsPath: knownHosts === undefined ? null : resolveUserPath(source.file, knownHosts),
    }),
    profile,
    link: link.link,
    agentDir: device.agent_dir ?? defaults.agent_dir,
    runtime: device.runtime ?? defaults.runtime,
    executionProvider: device.execution_provider ?? defaults.execution_provider,
    isCpuFallbackAllowed: device.allow_cpu_fallback ?? defaults.allow_cpu_fallback,
    powerMode: device.power_mode ?? defaults.power_mode,
    python: resolvePython(source.file, device.python ?? defaults.python, isLoopback),
  });
}

// The interpreter as the device will run it. A bare command (no "/") stays a PATH lookup. In loopback mode
// a path is a local one, so it is resolved like every other path of the file; in ssh mode it is the
// device's, kept as written (deploy expands `~/` and a relative path against the ssh user's home there).
function resolvePython(yamlFile: string, written: string | undefined, isLoopback: boolean): string | null {
  if (written === undefined) return null;
  return isLoopback && written.includes('/') ? resolveUserPath(yamlFile, written) : written;
}

// The resolved testbed; issues found on the way are pushed onto `context.issues`.
export function normaliseTestbed(context: NormaliseContext): Testbed {
  const { parsed, source, external } = context;
  const resolver = new Resolver(context);
  const devices = parsed.devices.map((_, index) => resolveDevice(context, resolver, index));
  const shape = external.model.ok ? external.model.shape : { numLayers: 0, numExperts: 0 };
  const placement = expandPlacement(parsed.placement, devices.map((device) => device.name), shape, parsed.replicas);
  for (const [name, paths, note] of [
    ['name', [['name']], 'file name'], ['mode', [['mode']]], ['model', [['model']], 'bundled model'],
    ['auth', [['auth']]], ['shaping', [['shaping']]], ['bs.host', [['bs', 'host']], 'by mode'],
    ['bs.bandwidth', [['bs', 'bandwidth']], 'unlimited'], ['bs.channel', [['bs', 'channel']], 'none'],
    ['bs.clock', [['bs', 'clock']], 'item'], ['bs.item_interval', [['bs', 'item_interval']], '100ms'], ['placement', [['placement']], 'round-robin'], ['replicas', [['replicas']], '1'],
    ['timeouts.connect', [['timeouts', 'connect']]], ['timeouts.request', [['timeouts', 'request']]],
  ] as const) resolver.note(name, paths as readonly FieldPath[], note);

  return Object.freeze({
    file: source.file,
    name: parsed.name ?? basename(source.file, extname(source.file)),
    mode: parsed.mode,
    modelDir: external.modelDir,
    shaping: parsed.shaping,
    auth: Object.freeze({ token: external.token.ok ? external.token.token : '' }),
    bs: Object.freeze({
      host: parsed.bs.host ?? (parsed.mode === 'loopback' ? '127.0.0.1' : '0.0.0.0'),
      bandwidthBitsPerSec: parsed.bs.bandwidth,
      cell: resolveCell(parsed.bs.channel),
      clock: Object.freeze({ mode: parsed.bs.clock, itemIntervalMs: parsed.bs.item_interval }),
    }),
    devices: Object.freeze(devices),
    placement: new Map([...placement].map(([key, holders]) => [key, Object.freeze(holders)])),
    timeouts: Object.freeze({ connectMs: parsed.timeouts.connect, requestMs: parsed.timeouts.request }),
    model: Object.freeze({ ...shape }),
    profiles: resolver.deviceProfiles,
    sources: resolver.sources,
  });
}
