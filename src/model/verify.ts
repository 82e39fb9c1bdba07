// sha256 checks of bundle files against the manifest, before any file is handed to onnxruntime.
// Called by bundle loading on the BS and on agents (only for the files each one loads).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ModelBundleError } from './errors.js';

// Reads `file`, checks its sha256, and returns its bytes (so it is read once).
export async function readVerified(file: string, expectedSha256: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new ModelBundleError('bundle-missing', file, 'is missing or unreadable', { cause });
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== expectedSha256) {
    throw new ModelBundleError('bundle-sha256', file, 'sha256 mismatch', { expectedSha256, actualSha256: actual });
  }
  return bytes;
}
