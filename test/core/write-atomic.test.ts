import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { writeFileAtomicSync, writeJsonAtomicSync } from '../../src/core/index.js';

const REWRITER = fileURLToPath(new URL('../fixtures/records/rewrite-forever.ts', import.meta.url));

function tempDir(): { dir: string; [Symbol.dispose]: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wdmoe-atomic-'));
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

test('writeFileAtomicSync replaces the file, creates its folder, honours mode and leaves no temp file', () => {
  const temp = tempDir();
  try {
    const file = path.join(temp.dir, 'sub', 'summary.json');
    writeJsonAtomicSync(file, { n: 1 });
    writeJsonAtomicSync(file, { n: 2 }, { mode: 0o600 });
    assert.equal(readFileSync(file, 'utf8'), '{\n  "n": 2\n}\n');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    writeFileAtomicSync(file, Buffer.from('bytes'));
    assert.equal(readFileSync(file, 'utf8'), 'bytes');
    assert.deepEqual(readdirSync(path.dirname(file)), ['summary.json']);
  } finally {
    temp[Symbol.dispose]();
  }
});

test('a failed atomic write leaves the old file untouched and removes its temp file', () => {
  const temp = tempDir();
  try {
    const file = path.join(temp.dir, 'target');
    mkdirSync(file); // renaming a file over a non-empty folder fails
    writeFileSync(path.join(file, 'keep'), 'old');
    assert.throws(() => writeFileAtomicSync(file, 'new'));
    assert.equal(readFileSync(path.join(file, 'keep'), 'utf8'), 'old');
    assert.deepEqual(readdirSync(temp.dir), ['target']);
  } finally {
    temp[Symbol.dispose]();
  }
});

test('a reader never sees half a file while another process rewrites it, nor after that process is SIGKILLed mid-write', async () => {
  const temp = tempDir();
  try {
    const file = path.join(temp.dir, 'run.json');
    writeJsonAtomicSync(file, { tag: 'initial', rows: [] });
    for (let kill = 0; kill < 3; kill++) {
      const writer = execa(process.execPath, ['--import', 'tsx', REWRITER, file], { reject: false, cwd: path.dirname(REWRITER) });
      await new Promise<void>((resolve) => writer.stdout!.once('data', () => resolve()));
      const until = Date.now() + 150 + kill * 100;
      let reads = 0;
      while (Date.now() < until) {
        const text = readFileSync(file, 'utf8');
        assert.doesNotThrow(() => JSON.parse(text), `read ${reads}: ${text.length} bytes do not parse`);
        reads += 1;
      }
      writer.kill('SIGKILL');
      await writer;
      const tag = (JSON.parse(readFileSync(file, 'utf8')) as { tag: string }).tag;
      assert.ok(['a', 'b'].includes(tag), `after SIGKILL the file holds one whole value (${tag}), read ${reads} times meanwhile`);
    }
  } finally {
    temp[Symbol.dispose]();
  }
});
