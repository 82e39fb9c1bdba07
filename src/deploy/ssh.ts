// The one module that imports ssh2: opens a device's ssh session over a TCP socket we create (so
// TCP_NODELAY is set before the first byte: without it SFTP's small requests stall on Nagle), checks
// the host key through the caller's verifier, and offers exec (bounded by a deadline) and SFTP. With a
// ProxyJump the session runs over a direct-tcpip channel of the jump host's session (its socket has TCP_NODELAY).
// Called by deploy/connect-device.ts. ssh2's errors leave through translateSshError only.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { readFile } from 'node:fs/promises';
import ssh2 from 'ssh2';
import type { SFTPWrapper } from 'ssh2';
import { DeployError } from './errors.js';
import { translateSshError } from './ssh-errors.js';
import type { SshTarget } from './ssh-config.js';

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// SFTP operations deploy needs, as promises.
export interface SftpSession {
  fastPut(local: string, remote: string, mode: number): Promise<void>;
  writeFile(remote: string, data: string | Buffer, mode: number): Promise<void>;
}

export interface SshSession {
  exec(command: string, options: { timeoutMs: number; stdin?: string; signal?: AbortSignal }): Promise<ExecResult>;
  sftp(): Promise<SftpSession>;
  // A TCP connection from this host to host:port (what a ProxyJump hop gives the next session).
  forwardOut(host: string, port: number): Promise<Duplex>;
  close(): void;
}

// Decides whether `target`'s host key is acceptable; a rejection is thrown as the error it returns.
export type HostKeyVerifier = (key: Buffer, target: SshTarget) => Promise<DeployError | undefined>;

interface ConnectOptions {
  readonly timeoutMs: number;
  readonly verifyHostKey: HostKeyVerifier;
  readonly signal?: AbortSignal;
}

// Opens an ssh session (through its jump host, if any); rejects with a DeployError (host key, auth,
// unreachable, timeout, …) naming the hop that failed.
export async function connectSsh(target: SshTarget, options: ConnectOptions): Promise<SshSession> {
  // The key is read before the socket exists, so no socket event can fire before its listeners are on.
  const privateKey = await readPrivateKey(target);
  if (target.jump === undefined) {
    const socket = net.connect({ host: target.host, port: target.port });
    socket.setNoDelay(true);
    return openSession(target, privateKey, socket, options, () => undefined);
  }
  const jump = await connectSsh(target.jump, options);
  let stream: Duplex;
  try {
    stream = await jump.forwardOut(target.host, target.port);
  } catch (error) {
    jump.close();
    throw translateSshError(error, { ...target.jump, keyPath: target.jump.keyPath }, 'connect');
  }
  return openSession(target, privateKey, stream, options, () => jump.close());
}

// Runs the ssh handshake over `socket`; synchronous up to the listeners, so no socket event is missed.
function openSession(target: SshTarget, privateKey: Buffer | undefined, socket: Duplex, options: ConnectOptions, onClose: () => void): Promise<SshSession> {
  const client = new ssh2.Client();
  let hostKeyError: DeployError | undefined;
  return new Promise<SshSession>((resolve, reject) => {
    const fail = (error: unknown) => {
      cleanup();
      socket.destroy();
      client.end();
      onClose();
      reject(hostKeyError ?? translateSshError(error, { ...target, keyPath: target.keyPath ?? target.defaultKeyPaths[0] ?? null }));
    };
    const timer = setTimeout(() => fail(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), options.timeoutMs);
    const onAbort = () => fail(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    socket.once('error', fail);
    client.once('error', fail);
    client.once('ready', () => {
      cleanup();
      socket.off('error', fail);
      client.off('error', fail);
      client.on('error', () => undefined); // later errors surface through the exec/sftp call that meets them
      resolve(sessionOf(client, target, onClose));
    });
    client.connect({
      sock: socket,
      username: target.user,
      privateKey,
      agent: privateKey === undefined ? (target.agentSocket ?? undefined) : undefined,
      readyTimeout: options.timeoutMs,
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        options.verifyHostKey(key, target).then(
          (problem) => {
            hostKeyError = problem;
            verify(problem === undefined);
          },
          (error: unknown) => {
            hostKeyError = error instanceof DeployError ? error : undefined;
            verify(false);
          },
        );
      },
    });
  });
}

async function readPrivateKey(target: SshTarget): Promise<Buffer | undefined> {
  const file = target.keyPath ?? (target.agentSocket === null ? target.defaultKeyPaths[0] : undefined);
  if (file === undefined) return undefined;
  try {
    return await readFile(file);
  } catch (cause) {
    throw new DeployError('ssh-key-unreadable', target.device, 'auth', `cannot read private key ${file} (${(cause as NodeJS.ErrnoException).code})`, {
      exitCode: 2,
      hint: 'fix ssh.key in the testbed (relative to the YAML file) or IdentityFile in ~/.ssh/config',
      cause,
    });
  }
}

function sessionOf(client: ssh2.Client, target: SshTarget, onClose: () => void): SshSession {
  const login = { ...target, keyPath: target.keyPath ?? target.defaultKeyPaths[0] ?? null };
  let sftp: Promise<SftpSession> | undefined;
  return {
    exec: (command, options) =>
      new Promise<ExecResult>((resolve, reject) => {
        client.exec(command, (error, channel) => {
          if (error) {
            reject(translateSshError(error, login));
            return;
          }
          let stdout = '';
          let stderr = '';
          const timer = setTimeout(() => {
            channel.close();
            reject(new DeployError('ssh-exec-timeout', target.device, 'connect', `remote command did not finish within ${options.timeoutMs} ms: ${command.slice(0, 80)}`, { hint: 'check the device (load, disk); run the command by hand over ssh' }));
          }, options.timeoutMs);
          channel.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
          channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
          channel.on('close', (code: number | null) => {
            clearTimeout(timer);
            resolve({ code: code ?? 255, stdout, stderr });
          });
          if (options.stdin !== undefined) channel.end(options.stdin);
          else channel.end();
        });
      }),
    sftp: () => {
      sftp ??= new Promise<SftpSession>((resolve, reject) => {
        client.sftp((error, wrapper) => (error ? reject(translateSshError(error, login, 'upload')) : resolve(sftpOf(wrapper, login))));
      });
      return sftp;
    },
    forwardOut: (host, port) =>
      new Promise<Duplex>((resolve, reject) => {
        client.forwardOut('127.0.0.1', 0, host, port, (error, channel) => (error ? reject(error) : resolve(channel)));
      }),
    close: () => {
      client.end();
      onClose();
    },
  };
}

function sftpOf(wrapper: SFTPWrapper, login: Parameters<typeof translateSshError>[1]): SftpSession {
  const settle = (resolve: () => void, reject: (error: unknown) => void) => (error: unknown) => (error ? reject(translateSshError(error, login, 'upload')) : resolve());
  return {
    fastPut: (local, remote, mode) => new Promise<void>((resolve, reject) => wrapper.fastPut(local, remote, { mode, concurrency: 16, chunkSize: 64 * 1024 }, settle(resolve, reject))),
    writeFile: (remote, data, mode) => new Promise<void>((resolve, reject) => wrapper.writeFile(remote, data, { mode }, settle(resolve, reject))),
  };
}
