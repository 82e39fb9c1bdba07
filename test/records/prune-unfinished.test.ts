import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pruneUnfinished } from '../../src/records/prune-unfinished.js';
import { resultKey } from '../../src/records/records.js';

test('on resume, side lines of items without a result line are dropped; finished ones and a torn tail stay', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wdmoe-prune-'));
  try {
    const file = path.join(dir, 'layers.jsonl');
    const line = (id: string, layer: number) => JSON.stringify({ dataset: 'add', policy: 'topk', id, layer });
    writeFileSync(file, `${line('a', 0)}\n${line('a', 1)}\n${line('b', 0)}\n${line('b', 1)}\n{"dataset":"add","po`);
    const dropped = pruneUnfinished(file, new Set([resultKey('add', 'topk', 'a')]));
    assert.equal(dropped, 2);
    const left = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
    assert.deepEqual(left.slice(0, 2).map((l) => JSON.parse(l).id), ['a', 'a']);
    assert.equal(left.length, 3, 'the torn tail is left for the writer to cut');
    assert.equal(pruneUnfinished(file, new Set([resultKey('add', 'topk', 'a')])), 0, 'nothing left to drop');
    assert.equal(pruneUnfinished(path.join(dir, 'missing.jsonl'), new Set()), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
