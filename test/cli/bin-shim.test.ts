// bin/wdmoe without a built dist/ (a checkout where `npm ci` / `npm run build` has not run yet): one error line
// naming the missing file and the command that builds it, exit 1, no Node stack trace. On a device's bundle
// (only what `wdmoe agent` loads), any other command says what the bundle is for, exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { BIN, hasStackTrace } from '../e2e/helpers.js';

test('bin/wdmoe in a checkout that is not built says how to build it, without a stack trace', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wdmoe-unbuilt-'));
  try {
    mkdirSync(path.join(dir, 'bin'));
    copyFileSync(BIN, path.join(dir, 'bin', 'wdmoe'));
    const result = await execa(process.execPath, [path.join(dir, 'bin', 'wdmoe'), 'validate', 'x.yaml'], { reject: false });
    assert.equal(result.exitCode, 1);
    assert.equal(result.stderr, `error[not-built]: ${path.join(dir, 'dist/cli/signals.js')} is missing: wdmoe is not built\nhint: run \`npm ci\` (installs and builds) or \`npm run build\` in ${dir}/`);
    assert.ok(!hasStackTrace(result.stderr));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bin/wdmoe on a device bundle runs only `wdmoe agent`: another command says so, without a stack trace', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wdmoe-bundle-'));
  try {
    mkdirSync(path.join(dir, 'bin'));
    mkdirSync(path.join(dir, 'dist', 'cli'), { recursive: true });
    copyFileSync(BIN, path.join(dir, 'bin', 'wdmoe'));
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(path.join(dir, 'dist', 'cli', 'signals.js'), 'export {};\n');
    writeFileSync(path.join(dir, 'dist', 'cli', 'agent-main.js'), 'console.log("agent entry");\n');
    const other = await execa(process.execPath, [path.join(dir, 'bin', 'wdmoe'), 'bench', 'x.yaml'], { reject: false });
    assert.equal(other.exitCode, 2);
    assert.match(other.stderr, /^error\[device-bundle\]: this is a device's agent bundle \(wdmoe deploy\): it runs only `wdmoe agent`\nhint: /);
    assert.ok(!hasStackTrace(other.stderr));
    const agent = await execa(process.execPath, [path.join(dir, 'bin', 'wdmoe'), 'agent'], { reject: false });
    assert.equal(agent.stdout, 'agent entry');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
