// HashCache: a file is read once per deploy; a saved cache answers for unchanged files and re-reads a
// file whose size or mtime changed.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { HashCache } from '../../src/deploy/hash-cache.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

test('unchanged files come from the saved cache; a rewritten file is hashed again', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wdmoe-hashes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'shard.onnx');
  const cacheFile = path.join(dir, 'cache', 'hashes.json');
  writeFileSync(file, 'first');
  utimesSync(file, 1_700_000_000, 1_700_000_000); // whole seconds: restorable exactly below
  const first = await HashCache.load(cacheFile);
  const info = statSync(file);
  assert.equal(await first.sha256(file, info.size, info.mtimeMs), sha('first'));
  await first.save();

  // Same size and mtime: the cache answers (proved by a cache entry that differs from the content).
  writeFileSync(file, 'FIRST');
  utimesSync(file, 1_700_000_000, 1_700_000_000);
  const again = await HashCache.load(cacheFile);
  const same = statSync(file);
  assert.equal(await again.sha256(file, same.size, same.mtimeMs), sha('first'));

  // A newer mtime (what any rewrite gives) is hashed again.
  utimesSync(file, 1_700_000_005, 1_700_000_005);
  const touched = statSync(file);
  assert.equal(await again.sha256(file, touched.size, touched.mtimeMs), sha('FIRST'));
});

test('a cache file that is missing or not JSON is an empty cache', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wdmoe-hashes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cacheFile = path.join(dir, 'hashes.json');
  writeFileSync(cacheFile, 'garbage');
  const file = path.join(dir, 'f');
  writeFileSync(file, 'x');
  const info = statSync(file);
  assert.equal(await (await HashCache.load(cacheFile)).sha256(file, info.size, info.mtimeMs), sha('x'));
  assert.equal(await (await HashCache.load(path.join(dir, 'none.json'))).sha256(file, info.size, info.mtimeMs), sha('x'));
});
