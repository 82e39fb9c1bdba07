// Decides, per device, which files to upload and which to skip, from the sha256s of the local files
// and the device's remote manifest (what the last deploy verified there). Pure: no ssh, no fs.
// Called by deploy/deploy-device.ts; `--dry-run` prints its result.
import type { BundleFile } from './bundle.js';

// What a device holds, as the last deploy recorded it (<agent dir>/.wdmoe-deploy.json).
export interface RemoteManifest {
  readonly formatVersion: 1;
  readonly files: Readonly<Record<string, { readonly sha256: string; readonly bytes: number }>>;
}

export interface UploadPlan {
  readonly upload: readonly BundleFile[]; // missing or changed on the device
  readonly skip: readonly BundleFile[]; // same sha256 and size on the device
  readonly stale: readonly string[]; // recorded on the device, no longer wanted (removed after upload)
  readonly uploadBytes: number;
  readonly skipBytes: number;
}

// Compares wanted files with the remote manifest; an absent or unreadable manifest uploads everything.
export function planUpload(files: readonly BundleFile[], remote: RemoteManifest | undefined): UploadPlan {
  const upload: BundleFile[] = [];
  const skip: BundleFile[] = [];
  for (const file of files) {
    const there = remote?.files[file.remote];
    if (there !== undefined && there.sha256 === file.sha256 && there.bytes === file.bytes) skip.push(file);
    else upload.push(file);
  }
  const wanted = new Set(files.map((file) => file.remote));
  const stale = Object.keys(remote?.files ?? {}).filter((name) => !wanted.has(name)).sort();
  return { upload, skip, stale, uploadBytes: sum(upload), skipBytes: sum(skip) };
}

// The manifest the device holds once `files` are all in place.
export function manifestOf(files: readonly BundleFile[]): RemoteManifest {
  return { formatVersion: 1, files: Object.fromEntries(files.map((file) => [file.remote, { sha256: file.sha256, bytes: file.bytes }])) };
}

// Parses a remote manifest's text; undefined for anything that is not one (a deploy then uploads all).
export function parseRemoteManifest(text: string | undefined): RemoteManifest | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    const json = JSON.parse(text) as RemoteManifest;
    return json.formatVersion === 1 && typeof json.files === 'object' && json.files !== null ? json : undefined;
  } catch {
    return undefined;
  }
}

function sum(files: readonly BundleFile[]): number {
  return files.reduce((total, file) => total + file.bytes, 0);
}
