import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TeardownStack } from '../../src/core/index.js';

test('teardown runs cleanups last-in first-out, all of them, once', async () => {
  const stack = new TeardownStack();
  const order: string[] = [];
  stack.defer('a', () => void order.push('a'));
  stack.defer('b', () => {
    order.push('b');
    throw new Error('b failed');
  });
  stack.defer('c', async () => void order.push('c'));
  const failures = await stack.dispose();
  assert.deepEqual(order, ['c', 'b', 'a']);
  assert.deepEqual(failures.map((f) => f.label), ['b']);
  assert.deepEqual(await stack.dispose(), []);
  assert.deepEqual(order, ['c', 'b', 'a']);
});

test('exit fallbacks run (newest first) when the process exits with cleanups pending or running, and not after dispose or release', async () => {
  const { execa } = await import('execa');
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const fixture = new URL('../fixtures/core/exit-fallback.ts', import.meta.url).pathname;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wdmoe-teardown-'));
  try {
    const run = async (mode: string) => {
      const file = path.join(dir, mode);
      await execa(process.execPath, ['--import', 'tsx', fixture, file, mode], { reject: false });
      try {
        return readFileSync(file, 'utf8').trim().split('\n');
      } catch {
        return [];
      }
    };
    const [exit, midDispose, disposed, released] = await Promise.all(['exit', 'exit-mid-dispose', 'dispose', 'release'].map(run));
    assert.deepEqual(exit, ['exit:c', 'exit:b', 'exit:a']);
    assert.deepEqual(midDispose, ['exit:b', 'exit:a'], 'c had finished; b was running when the process exited');
    assert.deepEqual(disposed, ['done']);
    assert.deepEqual(released, ['done']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
