// sha256s of local files for one deploy, shared by its devices, and remembered across deploys in a
// cache file keyed by path + size + mtime (a rewritten file has a new mtime), so a deploy with nothing
// changed does not read 70 MB again. The device still checks every uploaded file's sha256, and the agent
// every shard's at load. Called by deploy/bundle.ts (lookups) and deploy/deploy.ts (load, save).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

interface CachedHash {
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
}

// Hashes files once per deploy; `file` (optional) persists them between deploys.
export class HashCache {
  readonly #file: string | null;
  readonly #known: Map<string, CachedHash>;
  readonly #pending = new Map<string, Promise<string>>();
  #isDirty = false;

  private constructor(file: string | null, known: Map<string, CachedHash>) {
    this.#file = file;
    this.#known = known;
  }

  // A cache backed by `file` (missing or unreadable: empty), or an in-memory one for null.
  static async load(file: string | null): Promise<HashCache> {
    if (file === null) return new HashCache(null, new Map());
    try {
      const json = JSON.parse(await readFile(file, 'utf8')) as { formatVersion: number; files: Record<string, CachedHash> };
      return new HashCache(file, new Map(json.formatVersion === 1 ? Object.entries(json.files) : []));
    } catch {
      return new HashCache(file, new Map());
    }
  }

  // The sha256 of `local`, which `stat` says has this size and mtime.
  sha256(local: string, size: number, mtimeMs: number): Promise<string> {
    const known = this.#known.get(local);
    if (known !== undefined && known.size === size && known.mtimeMs === mtimeMs) return Promise.resolve(known.sha256);
    let pending = this.#pending.get(local);
    if (pending === undefined) {
      pending = readFile(local).then((bytes) => {
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        this.#known.set(local, { size, mtimeMs, sha256 });
        this.#isDirty = true;
        return sha256;
      });
      this.#pending.set(local, pending);
    }
    return pending;
  }

  // Writes the cache file (tmp + rename) when something new was hashed.
  async save(): Promise<void> {
    if (this.#file === null || !this.#isDirty) return;
    await mkdir(path.dirname(this.#file), { recursive: true });
    const tmp = `${this.#file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ formatVersion: 1, files: Object.fromEntries(this.#known) }));
    await rename(tmp, this.#file);
    this.#isDirty = false;
  }
}
