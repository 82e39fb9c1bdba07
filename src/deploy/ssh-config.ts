// Resolves how to reach each device over ssh: host, port, user, keys and known_hosts from the testbed
// and from ~/.ssh/config (the `ssh-config` package; Host patterns as OpenSSH applies them: first value
// wins). A value the YAML states beats ~/.ssh/config, which beats the built-in default, and each
// resolved value says where it came from (`--verbose`). Called by deploy/run-devices.ts. No ssh2.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SSHConfig from 'ssh-config';
import { EXIT_BAD_INPUT, WdmoeError } from '../core/index.js';
import type { DeviceSpec, Testbed } from '../testbed/index.js';
import { DeployError } from './errors.js';

// Everything needed to open one device's ssh session.
export interface SshTarget {
  readonly device: string;
  readonly host: string; // what the TCP connection goes to (HostName when ~/.ssh/config gives one)
  readonly port: number;
  readonly user: string;
  readonly keyPath: string | null; // null: ssh agent, else the default keys that exist
  readonly defaultKeyPaths: readonly string[];
  readonly knownHostsPath: string;
  readonly agentSocket: string | null;
  readonly sources: Readonly<Record<'host' | 'port' | 'user' | 'key' | 'knownHosts', string>>;
  readonly jump?: SshTarget; // ProxyJump: the session is tunnelled through this host (itself maybe through another)
}

export interface SshConfigSource {
  readonly file: string; // ~/.ssh/config or --ssh-config
  readonly home: string;
  readonly agentSocket: string | null;
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

// The default: the user's ~/.ssh/config and ssh agent.
export function defaultSshConfigSource(env: NodeJS.ProcessEnv = process.env): SshConfigSource {
  const home = os.homedir();
  return { file: path.join(home, '.ssh', 'config'), home, agentSocket: env['SSH_AUTH_SOCK'] ?? null };
}

// Reads ~/.ssh/config once (a missing file is an empty config) and resolves every device of the testbed.
export function resolveSshTargets(testbed: Testbed, source: SshConfigSource): SshTarget[] {
  const config = loadSshConfig(source.file);
  return testbed.devices.map((device) => resolveSshTarget(testbed, device, config, source));
}

function loadSshConfig(file: string): SSHConfig {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new WdmoeError('ssh-config-unreadable', `cannot read ssh config ${file} (${(error as NodeJS.ErrnoException).code})`, { exitCode: EXIT_BAD_INPUT, hint: `fix the file's permissions, or pass --ssh-config <file>` });
    }
  }
  try {
    return SSHConfig.parse(text);
  } catch (cause) {
    throw new WdmoeError('ssh-config-invalid', `cannot parse ssh config ${file}: ${(cause as Error).message}`, { exitCode: EXIT_BAD_INPUT, hint: 'check the file with `ssh -G <host>`', cause });
  }
}

function resolveSshTarget(testbed: Testbed, device: DeviceSpec, config: SSHConfig, source: SshConfigSource): SshTarget {
  const expand = (file: string) => (file.startsWith('~/') ? path.join(source.home, file.slice(2)) : path.resolve(path.dirname(source.file), file));
  const computed = config.compute(device.host, { ignoreCase: true }) as Record<string, string | string[] | undefined>;
  const first = (name: string): string | undefined => {
    const value = computed[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const fromYaml = (field: string) => testbed.sources.get(`devices[${device.name}].${field}`)?.kind === 'yaml';
  const configFile = source.file;
  const badConfig = (what: string, value: string, hint: string) =>
    new DeployError('ssh-config-invalid', device.name, 'config', `${configFile}: ${what} "${value}" for host ${device.host}`, { exitCode: EXIT_BAD_INPUT, hint });
  const configPort = first('port');
  if (configPort !== undefined && !/^\d{1,5}$/.test(configPort)) throw badConfig('Port', configPort, 'Port must be a number 1–65535');
  const configKey = first('identityfile');
  const configKeyPath = configKey === undefined ? undefined : expand(configKey.replace(/%d/g, source.home).replace(/%u/g, device.ssh.user));
  if (!fromYaml('ssh.key') && configKeyPath !== undefined && !existsSync(configKeyPath)) {
    throw badConfig('IdentityFile', configKey!, `create the key (ssh-keygen -f ${configKeyPath}) or fix IdentityFile`);
  }
  const configKnownHosts = first('userknownhostsfile');
  const knownHostsPath = device.ssh.knownHostsPath ?? (configKnownHosts !== undefined ? expand(configKnownHosts.split(/\s+/)[0]!) : path.join(source.home, '.ssh', 'known_hosts'));
  const pick = <T>(yamlField: string, yamlValue: T, configValue: T | undefined, fallback: T): [T, string] =>
    fromYaml(yamlField) ? [yamlValue, 'testbed YAML'] : configValue !== undefined ? [configValue, configFile] : [fallback, 'default'];
  const [user, userFrom] = pick('ssh.user', device.ssh.user, first('user'), device.ssh.user);
  const [port, portFrom] = pick('ssh.port', device.ssh.port, configPort === undefined ? undefined : Number(configPort), device.ssh.port);
  const [keyPath, keyFrom] = pick<string | null>('ssh.key', device.ssh.keyPath, configKeyPath, null);
  const hostName = first('hostname');
  const proxyJump = first('proxyjump');
  const jump = proxyJump === undefined || proxyJump === 'none' ? undefined : resolveJump(proxyJump, device, config, source, { keyPath, knownHostsPath, expand });
  return {
    ...(jump === undefined ? {} : { jump }),
    device: device.name,
    host: hostName ?? device.host,
    port,
    user,
    keyPath,
    defaultKeyPaths: DEFAULT_KEYS.map((name) => path.join(source.home, '.ssh', name)).filter((file) => existsSync(file)),
    knownHostsPath,
    agentSocket: source.agentSocket,
    sources: {
      host: hostName === undefined ? 'testbed YAML' : `${configFile} HostName`,
      port: portFrom,
      user: userFrom,
      key: keyPath === null ? 'ssh agent / default keys' : keyFrom,
      knownHosts: device.ssh.knownHostsPath !== null ? 'testbed YAML' : configKnownHosts !== undefined ? configFile : 'default',
    },
  };
}

const MAX_JUMP_HOPS = 8;

// The last hop of `ProxyJump [user@]host[:port][,[user@]host[:port]…]`, each hop with its own ~/.ssh/config
// entry and tunnelled through the hop before it (`jump`), as `ssh -J` does. A lone or first hop whose own Host
// entry has a ProxyJump goes through that too (how OpenSSH recurses); hops are capped and loops refused. A
// hop's key defaults to the device's; its host key is checked in the device's known_hosts.
function resolveJump(
  spec: string,
  device: DeviceSpec,
  config: SSHConfig,
  source: SshConfigSource,
  inherit: { keyPath: string | null; knownHostsPath: string; expand: (file: string) => string },
  via: readonly string[] = [device.host],
): SshTarget {
  const fail = (why: string, hint: string) =>
    new DeployError('ssh-proxyjump-invalid', device.name, 'config', `${source.file}: ProxyJump "${spec}" for host ${via[via.length - 1]}: ${why}`, { exitCode: EXIT_BAD_INPUT, hint });
  const hops = spec.split(',').map((hop) => hop.trim());
  if (hops.some((hop) => hop === '')) throw fail('a hop is empty', 'list the hops in order, comma-separated: ProxyJump user@first:22,user@second:22');
  let previous: SshTarget | undefined;
  hops.forEach((hop, index) => {
    const match = /^(?:([^@\s]+)@)?(\[[^\]]+\]|[^:\s]+)(?::(\d{1,5}))?$/.exec(hop);
    if (match === null) throw fail(`hop "${hop}": expected [user@]host[:port]`, 'write it as ProxyJump user@bastion:22');
    const name = match[2]!.replace(/^\[|\]$/g, '');
    const chain = [...via, name];
    if (via.includes(name)) throw fail(`the jumps loop: ${chain.join(' → ')}`, 'remove the ProxyJump that leads back');
    if (via.length + index > MAX_JUMP_HOPS) throw fail(`more than ${MAX_JUMP_HOPS} hops`, 'shorten the chain of jump hosts');
    const computed = config.compute(name, { ignoreCase: true }) as Record<string, string | string[] | undefined>;
    const first = (key: string): string | undefined => {
      const value = computed[key];
      return Array.isArray(value) ? value[0] : value;
    };
    const port = match[3] ?? first('port') ?? '22';
    if (!/^\d{1,5}$/.test(port)) throw fail(`Port "${port}" of ${name} is not a number`, 'Port must be a number 1–65535');
    const identity = first('identityfile');
    const keyPath = identity === undefined ? inherit.keyPath : inherit.expand(identity);
    if (keyPath !== null && !existsSync(keyPath)) throw fail(`IdentityFile ${keyPath} of ${name} does not exist`, `create it (ssh-keygen -f ${keyPath}) or fix IdentityFile`);
    const own = first('proxyjump');
    const before = index > 0 ? previous : own === undefined || own === 'none' ? undefined : resolveJump(own, device, config, source, inherit, chain);
    previous = {
      ...(before === undefined ? {} : { jump: before }),
      device: device.name,
      host: first('hostname') ?? name,
      port: Number(port),
      user: match[1] ?? first('user') ?? os.userInfo().username,
      keyPath,
      defaultKeyPaths: DEFAULT_KEYS.map((key) => path.join(source.home, '.ssh', key)).filter((file) => existsSync(file)),
      knownHostsPath: inherit.knownHostsPath,
      agentSocket: source.agentSocket,
      sources: { host: `${source.file} ProxyJump`, port: source.file, user: source.file, key: identity === undefined ? 'the device\'s key' : source.file, knownHosts: 'the device\'s known_hosts' },
    };
  });
  return previous!;
}
