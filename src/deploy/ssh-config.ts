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
  const computed = config.compute(device.host, { ignoreCase: true }) as Record<string, string | string[] | undefined>;
  const first = (name: string): string | undefined => {
    const value = computed[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const fromYaml = (field: string) => testbed.sources.get(`devices[${device.name}].${field}`)?.kind === 'yaml';
  const configFile = source.file;
  const badConfig = (what: string, value: string, hint: string) =>
    new DeployError('ssh-config-invalid', device.name, 'config', `${configFile}: ${what} "${value}" for host ${device.host}`, { exitCode: EXIT_BAD_INPUT, hint });
  if (first('proxyjump') !== undefined && first('proxyjump') !== 'none') {
    throw new DeployError('ssh-proxyjump-unsupported', device.name, 'config', `${configFile}: ProxyJump ${first('proxyjump')} for host ${device.host} is not supported by this version of deploy`, {
      exitCode: EXIT_BAD_INPUT,
      hint: 'give the device an address the BS reaches directly (devices[].host), or forward a local port to it and use host 127.0.0.1 with ssh.port',
    });
  }
  const configPort = first('port');
  if (configPort !== undefined && !/^\d{1,5}$/.test(configPort)) throw badConfig('Port', configPort, 'Port must be a number 1–65535');
  const configKey = first('identityfile');
  const expand = (file: string) => (file.startsWith('~/') ? path.join(source.home, file.slice(2)) : path.resolve(path.dirname(configFile), file));
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
  return {
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
