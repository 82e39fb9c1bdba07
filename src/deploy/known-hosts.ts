// Host key verification against an OpenSSH known_hosts file: plain and hashed (|1|salt|hash) host
// fields, [host]:port for non-22 ports, * and ? patterns, ! negation. Pure parsing and matching plus
// one append for --accept-new. Called by deploy/connect-device.ts. Imports node built-ins only.
import { createHash, createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export type HostKeyCheck =
  | { readonly status: 'match' }
  | { readonly status: 'unknown' }
  | { readonly status: 'changed'; readonly line: number; readonly keyType: string };

// The host field OpenSSH writes for host:port.
export function hostPatternOf(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

// The key type named inside an SSH wire-format public key (its first length-prefixed string).
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const length = key.readUInt32BE(0);
  return length > 0 && length <= 64 && key.length >= 4 + length ? key.subarray(4, 4 + length).toString('latin1') : 'unknown';
}

// Checks `key` (wire format, as ssh2's hostVerifier gets it) for host:port against known_hosts text.
export function checkHostKey(text: string, host: string, port: number, key: Buffer): HostKeyCheck {
  const pattern = hostPatternOf(host, port);
  const keyType = keyTypeOf(key);
  const base64 = key.toString('base64');
  let changed: HostKeyCheck | undefined;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const fields = lines[index]!.trim().split(/\s+/);
    if (fields.length < 3 || fields[0]!.startsWith('#')) continue;
    if (fields[0]!.startsWith('@')) continue; // @cert-authority / @revoked: not used by wdmoe
    const [hosts, type, encoded] = fields as [string, string, string];
    if (!hostsFieldMatches(hosts, pattern)) continue;
    if (type === keyType && encoded === base64) return { status: 'match' };
    if (type === keyType) changed ??= { status: 'changed', line: index + 1, keyType };
  }
  return changed ?? { status: 'unknown' };
}

// Reads and checks; a missing file means every host is unknown.
export async function checkKnownHosts(file: string, host: string, port: number, key: Buffer): Promise<HostKeyCheck> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return checkHostKey(text, host, port, key);
}

// The known_hosts line for host:port and key.
export function formatKnownHostsLine(host: string, port: number, key: Buffer): string {
  return `${hostPatternOf(host, port)} ${keyTypeOf(key)} ${key.toString('base64')}`;
}

// Records a key (trust on first use); creates the file (0600) and its folder when missing.
export async function appendKnownHost(file: string, host: string, port: number, key: Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await appendFile(file, `${formatKnownHostsLine(host, port, key)}\n`, { mode: 0o600 });
}

// The SHA256 fingerprint OpenSSH prints for a key (SHA256:base64 without padding).
export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

function hostsFieldMatches(field: string, pattern: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (salt === undefined || hash === undefined) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(pattern).digest('base64') === hash;
  }
  let matched = false;
  for (const entry of field.split(',')) {
    const negated = entry.startsWith('!');
    if (globMatches(negated ? entry.slice(1) : entry, pattern)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function globMatches(glob: string, text: string): boolean {
  const regex = new RegExp(`^${glob.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\[/g, '\\[').replace(/\]/g, '\\]').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(text);
}
