// PayloadPool: buffers of the asked size at offset 0, reused only once handed back, bounded free
// list, and releases of foreign or already-returned leases ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PayloadPool, POOLED_MAX_BYTES, POOLED_MIN_BYTES } from '../../src/transport/payload-pool.js';

test('a buffer comes back at offset 0 with the asked length, and is reused only after release', () => {
  const pool = new PayloadPool();
  const first = pool.take(100_000)!;
  assert.equal(first.length, 100_000);
  assert.equal(first.byteOffset, 0);
  const second = pool.take(100_000)!;
  assert.notEqual(second.buffer, first.buffer, 'a lent buffer is never lent twice');
  pool.release(first.buffer);
  assert.equal(pool.take(90_000)!.buffer, first.buffer, 'same power-of-two class reuses the returned buffer');
});

test('sizes outside the pooled range are not pooled', () => {
  const pool = new PayloadPool();
  assert.equal(pool.take(POOLED_MIN_BYTES - 1), undefined);
  assert.equal(pool.take(POOLED_MAX_BYTES + 1), undefined);
  assert.ok(pool.take(POOLED_MIN_BYTES) !== undefined);
});

test('a second release, or a foreign buffer, does not enter the free list', () => {
  const pool = new PayloadPool();
  const lent = pool.take(64 * 1024)!;
  pool.release(lent.buffer);
  pool.release(lent.buffer);
  pool.release(new ArrayBuffer(64 * 1024));
  assert.equal(pool.freeBytes, 64 * 1024);
  const again = pool.take(64 * 1024)!;
  assert.equal(again.buffer, lent.buffer);
  assert.notEqual(pool.take(64 * 1024)!.buffer, lent.buffer);
});

test('the free list keeps at most maxFreeBytes', () => {
  const pool = new PayloadPool({ maxFreeBytes: 256 * 1024 });
  const lent = [1, 2, 3].map(() => pool.take(128 * 1024)!);
  for (const buffer of lent) pool.release(buffer.buffer);
  assert.equal(pool.freeBytes, 256 * 1024);
});
