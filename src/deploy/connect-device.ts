// Opens one device's ssh session with its host key checked against known_hosts: a known key
// continues, an unknown key stops the device unless --accept-new (then it is recorded), a changed
// key always stops it. Called by deploy, status and teardown. ssh2 stays inside deploy/ssh.ts.
import { DeployError } from './errors.js';
import { appendKnownHost, checkKnownHosts, fingerprintOf, hostPatternOf, keyTypeOf } from './known-hosts.js';
import { connectSsh, type SshSession } from './ssh.js';
import type { SshTarget } from './ssh-config.js';

export interface ConnectDeviceOptions {
  readonly acceptNew: boolean;
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly onHostKeyRecorded?: (target: SshTarget, fingerprint: string) => void;
}

// Connects, verifying the host key; rejects with a DeployError naming the device.
export function connectDevice(target: SshTarget, options: ConnectDeviceOptions): Promise<SshSession> {
  return connectSsh(target, {
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    verifyHostKey: async (key, hop) => {
      const check = await checkKnownHosts(hop.knownHostsPath, hop.host, hop.port, key);
      const name = hostPatternOf(hop.host, hop.port);
      if (check.status === 'match') return undefined;
      if (check.status === 'changed') {
        return new DeployError('host-key-changed', hop.device, 'host-key', `the ${check.keyType} host key of ${name} has CHANGED (now ${fingerprintOf(key)}; ${hop.knownHostsPath}:${check.line} has another)`, {
          hint: `if the device was reinstalled, remove the old key (ssh-keygen -R '${name}' -f ${hop.knownHostsPath}) and deploy with --accept-new; otherwise someone may be intercepting the connection`,
        });
      }
      if (!options.acceptNew) {
        return new DeployError('host-key-unknown', hop.device, 'host-key', `the host key of ${name} is not in ${hop.knownHostsPath} (${keyTypeOf(key)} ${fingerprintOf(key)})`, {
          hint: `check the fingerprint on the device (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then deploy with --accept-new to record it`,
        });
      }
      await appendKnownHost(hop.knownHostsPath, hop.host, hop.port, key);
      options.onHostKeyRecorded?.(hop, fingerprintOf(key));
      return undefined;
    },
  });
}
