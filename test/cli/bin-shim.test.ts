// bin/wdmoe without a built dist/ (a checkout where `npm ci` / `npm run build` has not run yet): one error line
// naming the missing file and the command that builds it, exit 1, no Node stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
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
