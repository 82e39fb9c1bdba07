import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { openJsonlAppender } from '../../src/records/jsonl-append.js';
import { tempDir } from './helpers.js';

test('appender writes one complete line per value and keeps earlier lines', () => {
  const file = join(tempDir(), 'x.jsonl');
  writeFileSync(file, '{"a":0}\n');
  const appender = openJsonlAppender(file);
  appender.append({ a: 1 });
  appender.append({ b: 'é' });
  appender.close();
  assert.equal(readFileSync(file, 'utf8'), '{"a":0}\n{"a":1}\n{"b":"é"}\n');
  assert.equal(appender.truncatedBytes, 0);
});

test('appender cuts a torn last line off before appending', () => {
  const file = join(tempDir(), 'x.jsonl');
  writeFileSync(file, '{"a":0}\n{"a":1}\n{"a":');
  const appender = openJsonlAppender(file, { durable: false });
  assert.equal(appender.truncatedBytes, 5);
  appender.append({ a: 2 });
  appender.close();
  assert.equal(readFileSync(file, 'utf8'), '{"a":0}\n{"a":1}\n{"a":2}\n');
});

test('appender treats a file with no newline at all as entirely torn', () => {
  const file = join(tempDir(), 'x.jsonl');
  writeFileSync(file, '{"a":0}');
  const appender = openJsonlAppender(file, { durable: false });
  appender.append({ a: 1 });
  appender.close();
  assert.equal(readFileSync(file, 'utf8'), '{"a":1}\n');
});

test('append after close is refused', () => {
  const appender = openJsonlAppender(join(tempDir(), 'x.jsonl'));
  appender.close();
  assert.throws(() => appender.append({}), /closed/);
});

test('a writer killed with SIGKILL leaves only whole lines, plus at most one torn last line', async () => {
  const file = join(tempDir(), 'x.jsonl');
  const module = new URL('../../src/records/jsonl-append.ts', import.meta.url).pathname;
  const script = `import { openJsonlAppender } from ${JSON.stringify(module)};
    const a = openJsonlAppender(${JSON.stringify(file)});
    for (let i = 0; ; i++) { a.append({ i, pad: 'x'.repeat(3000) }); if (i === 20) process.stdout.write('go\\n'); }`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  appendFileSync(file, '{"i":');   // and a torn tail, as if the kill landed mid-write
  const appender = openJsonlAppender(file);
  appender.append({ i: 'after' });
  appender.close();
  const lines = readFileSync(file, 'utf8').split('\n');
  assert.equal(lines.pop(), '');
  const values = lines.map((line) => JSON.parse(line) as { i: number | string });
  assert.ok(values.length > 21);
  values.slice(0, -1).forEach((value, index) => assert.equal(value.i, index));
  assert.equal(values.at(-1)!.i, 'after');
});
