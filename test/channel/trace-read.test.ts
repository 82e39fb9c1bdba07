import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TraceError } from '../../src/channel/errors.js';
import { loadTraceFile, readTraceFile, traceFormatOf } from '../../src/channel/trace-read.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/traces/${name}`, import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'wdmoe-trace-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

test('the format follows the extension: .csv is CSV, anything else Mahimahi', () => {
  assert.equal(traceFormatOf('/a/b.CSV'), 'csv');
  assert.equal(traceFormatOf('/a/b.mahimahi'), 'mahimahi');
  assert.equal(traceFormatOf('/a/Verizon-LTE-short.down'), 'mahimahi');
});

test('a trace read from disk carries the sha256 of its bytes', () => {
  const file = fixture('lte-like.csv');
  const result = readTraceFile(file);
  assert.ok(result.ok);
  assert.equal(result.trace.sha256, createHash('sha256').update(readFileSync(file)).digest('hex'));
  assert.equal(result.trace.file, file);
});

test('an explicit format wins over the extension', () => {
  const file = join(scratch, 'trace.txt');
  writeFileSync(file, '0,1000\n10,2000\n');
  assert.ok(!readTraceFile(file).ok, 'read as Mahimahi by default');
  const result = readTraceFile(file, { format: 'csv' });
  assert.ok(result.ok);
  assert.equal(result.trace.format, 'csv');
});

test('missing and empty files are refused as a whole (line 0)', () => {
  assert.deepEqual(readTraceFile(join(scratch, 'nope.csv')), { ok: false, line: 0, message: 'cannot read trace file: not found' });
  assert.deepEqual(readTraceFile(fixture('empty.csv')), { ok: false, line: 0, message: 'trace file is empty' });
  assert.deepEqual(readTraceFile(scratch), { ok: false, line: 0, message: 'cannot read trace file: is a directory' });
});

test('loadTraceFile throws a TraceError naming file:line (exit code 2)', () => {
  const file = fixture('negative-rate.csv');
  assert.throws(() => loadTraceFile(file), (error: unknown) => {
    assert.ok(error instanceof TraceError);
    assert.equal(error.exitCode, 2);
    assert.equal(error.line, 4);
    assert.ok(error.message.startsWith(`${file}:4: expected rate_bps`), error.message);
    assert.match(error.hint ?? '', /docs\/channel\.md/);
    return true;
  });
  assert.equal(loadTraceFile(fixture('constant-12mbit.mahimahi')).steps[0]!.rateBitsPerSec, 12e6);
});
