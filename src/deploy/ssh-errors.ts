// Translates what ssh2 (and the TCP socket under it) throws into DeployError codes with hints, by
// err.level and errno code, in this one function. Called by deploy/ssh.ts. Imports no ssh2.
import { EXIT_BAD_INPUT } from '../core/index.js';
import { DeployError, type DeployPhase } from './errors.js';

// The login a failure is about (what the hint's `ssh` command line needs).
export interface SshLogin {
  readonly device: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly keyPath: string | null;
}

// An ssh2 / socket / SFTP error → a DeployError naming the device and what to try.
export function translateSshError(error: unknown, login: SshLogin, phase: DeployPhase = 'connect'): DeployError {
  if (error instanceof DeployError) return error;
  const raw = error as { level?: string; code?: string | number; message?: string; description?: string };
  const message = raw.message ?? String(error);
  const where = `${login.user}@${login.host}:${login.port}`;
  const sshCommand = `ssh ${login.keyPath === null ? '' : `-i ${login.keyPath} `}-p ${login.port} ${login.user}@${login.host}`;
  const fail = (code: string, text: string, hint: string, failedPhase: DeployPhase = phase, exitCode?: number) =>
    new DeployError(code, login.device, failedPhase, text, { hint, cause: error, exitCode });
  switch (raw.code) {
    case 'ECONNREFUSED':
      return fail('ssh-refused', `connection to ${login.host}:${login.port} refused (no sshd listening)`, `start sshd on the device, or fix devices[${login.device}].host / ssh.port in the testbed`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
      return fail('ssh-unreachable', `${login.host} is unreachable (${raw.code})`, `check the device is up and on the network (ping ${login.host}), or fix devices[${login.device}].host`);
    case 'ETIMEDOUT':
      return fail('ssh-timeout', `no answer from ${login.host}:${login.port} (timed out)`, `check the device is up and that a firewall lets port ${login.port} through`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return fail('ssh-dns', `host name ${login.host} does not resolve`, `fix devices[${login.device}].host, or add a Host entry with HostName to ~/.ssh/config`, phase, EXIT_BAD_INPUT);
    case 'ECONNRESET':
      return fail('ssh-reset', `${where} closed the connection`, `check the device's sshd log; try: ${sshCommand}`);
    default:
      break;
  }
  switch (raw.level) {
    case 'client-authentication':
      return fail('ssh-auth', `key not accepted by ${where}`, `check that the key works: ${sshCommand} (set ssh.key in the testbed or IdentityFile in ~/.ssh/config)`, 'auth');
    case 'agent':
      return fail('ssh-agent', `the ssh agent failed: ${message}`, 'check SSH_AUTH_SOCK (ssh-add -l), or set ssh.key in the testbed', 'auth');
    case 'client-timeout':
      return fail('ssh-timeout', `ssh handshake with ${where} timed out`, `check that ${login.host}:${login.port} is an sshd (${sshCommand})`);
    case 'client-dns':
      return fail('ssh-dns', `host name ${login.host} does not resolve`, `fix devices[${login.device}].host`, phase, EXIT_BAD_INPUT);
    case 'handshake':
    case 'protocol':
      return fail('ssh-protocol', `ssh handshake with ${where} failed: ${message}`, `check that ${login.host}:${login.port} is an OpenSSH server (${sshCommand})`);
    case 'sftp-protocol':
      return fail('sftp-protocol', `SFTP with ${where} failed: ${message}`, 'check that the device\'s sshd has an sftp Subsystem (Subsystem sftp internal-sftp)', 'upload');
    case 'client-socket':
      return fail('ssh-socket', `connection to ${where} failed: ${message}`, `try: ${sshCommand}`);
    default:
      break;
  }
  if (typeof raw.code === 'number') {
    // SFTP status codes (draft-ietf-secsh-filexfer): 2 no such file, 3 permission denied, 4 failure.
    const reason = raw.code === 2 ? 'no such file or directory' : raw.code === 3 ? 'permission denied' : message;
    return fail('sftp-failed', `SFTP on ${where}: ${reason}`, `check that ${login.user} can write the agent directory on the device`, 'upload');
  }
  return fail('ssh-failed', `ssh to ${where} failed: ${message}`, `try: ${sshCommand}`);
}
