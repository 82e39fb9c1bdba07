// A real OpenSSH sshd inside one namespace: private config (own HostKey, AuthorizedKeysFile, no PAM,
// no StrictModes — the keys live in wdmoe's state folder — internal-sftp, listening on the namespace's
// address only), keys generated with ssh-keygen. sshd daemonizes once it listens and writes its
// PidFile; the pid is what `down` stops, after checking /proc that it is this sshd. Called by netns-up/down.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { sleep } from '../core/index.js';
import { LoopbackError } from './errors.js';

const SSHD = '/usr/sbin/sshd';
const COMMAND_TIMEOUT_MS = 15_000;

// Generates an ed25519 key pair at `file` (+ .pub) without a passphrase; returns the public key line.
export async function generateKey(file: string, comment: string): Promise<string> {
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { timeout: COMMAND_TIMEOUT_MS, stdin: 'ignore' }).catch((cause: unknown) => {
    throw new LoopbackError('netns-ssh-keygen', `ssh-keygen failed for ${file}`, { cause, hint: 'install openssh-client (apt-get install -y openssh-client)' });
  });
  return (await readFile(`${file}.pub`, 'utf8')).trim();
}

export interface SshdSpec {
  readonly device: string;
  readonly netns: string;
  readonly address: string;
  readonly dir: string;
  readonly hostKey: string;
  readonly authorizedKeys: string;
}

// Writes the config and starts sshd in the namespace; resolves with its pid once it listens.
export async function startSshd(spec: SshdSpec): Promise<{ pid: number; config: string }> {
  const config = path.join(spec.dir, `sshd_config-${spec.device}`);
  const pidFile = path.join(spec.dir, `sshd-${spec.device}.pid`);
  const log = path.join(spec.dir, `sshd-${spec.device}.log`);
  await writeFile(config, [
    '# written by wdmoe loopback up --netns; removed by loopback down',
    'Port 22',
    `ListenAddress ${spec.address}`,
    `HostKey ${spec.hostKey}`,
    `PidFile ${pidFile}`,
    `AuthorizedKeysFile ${spec.authorizedKeys}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'X11Forwarding no',
    'PrintMotd no',
    'UseDNS no',
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n'));
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 }); // Debian's privilege separation folder
  const result = await execa('ip', ['netns', 'exec', spec.netns, SSHD, '-f', config, '-E', log], { reject: false, timeout: COMMAND_TIMEOUT_MS, stdin: 'ignore' });
  if (result.exitCode !== 0) {
    const detail = await readFile(log, 'utf8').catch(() => String(result.stderr));
    throw new LoopbackError('netns-sshd-failed', `device ${spec.device}: sshd did not start in ${spec.netns}: ${detail.trim().split('\n').pop() ?? ''}`, {
      device: spec.device,
      hint: `install openssh-server (apt-get install -y openssh-server); sshd log: ${log}`,
    });
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (pid > 0 && isOurSshd(pid, config)) return { pid, config };
    await sleep(20);
  }
  throw new LoopbackError('netns-sshd-no-pid', `device ${spec.device}: sshd started but wrote no pid file ${pidFile}`, { device: spec.device, hint: `see ${log}` });
}

// Stops the sshd `pid` if it is still the one started with `config`; bounded (TERM, 2 s, KILL).
export async function stopSshd(pid: number, config: string): Promise<void> {
  if (!isOurSshd(pid, config)) return;
  signal(pid, 'SIGTERM');
  for (let i = 0; i < 100 && isOurSshd(pid, config); i++) await sleep(20);
  if (isOurSshd(pid, config)) signal(pid, 'SIGKILL');
  for (let i = 0; i < 50 && isOurSshd(pid, config); i++) await sleep(20);
}

// True when `pid` is alive (not a zombie) and is sshd started with our config file.
export function isOurSshd(pid: number, config: string): boolean {
  try {
    if (/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) return false;
    // sshd rewrites its process title (`sshd: /usr/sbin/sshd -f <config> [listener] …`): match the text.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(` ${config}`);
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
