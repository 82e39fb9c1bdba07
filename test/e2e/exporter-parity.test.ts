// scripts/export_bundle.py on a tiny random checkpoint of each supported family (made by
// scripts/make_tiny_checkpoint.py): the exporter's own onnxruntime parity check against transformers must pass,
// and then this project's TypeScript BS (the same code as --placement local) must reproduce the golden logits
// that transformers computed, within 1e-4, for full-sequence prefill and for KV-cache decode.
// Needs .venv (scripts/python-env.sh); fails, never skips, without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { goldenParity, loadLocalSetup } from '../bs/local-setup.js';
import { tempDir } from './helpers.js';
import { runPython } from './python.js';

interface ParityFigures { prefill: number; decode: number }

// Prefill and decode max |TS − golden| over real positions, through the local (monolithic) forward.
async function tsParity(bundle: string): Promise<ParityFigures> {
  const { setup, release } = await loadLocalSetup(bundle);
  try {
    return await goldenParity(setup, bundle);
  } finally {
    await release();
  }
}

const FAMILIES = [
  { family: 'mixtral', normalizeTopK: true },
  { family: 'olmoe', normalizeTopK: false },
] as const;

for (const { family, normalizeTopK } of FAMILIES) {
  test(`export_bundle.py on a tiny ${family} checkpoint: exporter parity passes, TS logits equal transformers' within 1e-4 (prefill and KV-cache decode)`, async (t) => {
    const temp = tempDir(`wdmoe-export-${family}-`);
    try {
      const checkpoint = path.join(temp.dir, 'checkpoint');
      const bundle = path.join(temp.dir, 'bundle');
      await runPython(['scripts/make_tiny_checkpoint.py', '--family', family, '--out', checkpoint, '--seed', '0']);
      const log = await runPython(['scripts/export_bundle.py', '--checkpoint', checkpoint, '--out', bundle, '--name', `tiny-${family}-test`]);
      assert.match(log, new RegExp(`model_type ${family} ->`), 'family auto-detected from config.json');
      const manifest = JSON.parse(readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
      assert.equal(manifest.architecture.family, family);
      assert.equal(manifest.architecture.routerNormalizeTopK, normalizeTopK);
      assert.equal(manifest.dtype, 'float32');
      assert.equal(manifest.files.filter((f: { role: string }) => f.role.startsWith('expert.')).length, 2 * 4);
      const exporter = manifest.source.parityMaxAbsDiff as ParityFigures;
      const ts = await tsParity(bundle);
      t.diagnostic(`${family}: exporter (onnxruntime py) prefill ${exporter.prefill.toExponential(2)} decode ${exporter.decode.toExponential(2)}; TS BS prefill ${ts.prefill.toExponential(2)} decode ${ts.decode.toExponential(2)}`);
      assert.ok(ts.prefill < 1e-4, `${family} prefill: max abs diff ${ts.prefill}`);
      assert.ok(ts.decode < 1e-4, `${family} decode: max abs diff ${ts.decode}`);
    } finally {
      temp.dispose();
    }
  });
}

test('export_bundle.py --dtype float16 (olmoe): fp16 weights, fp32 IO, within the fp16 tolerance of transformers in the TS BS', async (t) => {
  const temp = tempDir('wdmoe-export-fp16-');
  try {
    const checkpoint = path.join(temp.dir, 'checkpoint');
    const bundle = path.join(temp.dir, 'bundle');
    await runPython(['scripts/make_tiny_checkpoint.py', '--family', 'olmoe', '--out', checkpoint, '--seed', '1']);
    await runPython(['scripts/export_bundle.py', '--checkpoint', checkpoint, '--out', bundle, '--dtype', 'float16']);
    const manifest = JSON.parse(readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
    assert.equal(manifest.dtype, 'float16');
    const ts = await tsParity(bundle);
    t.diagnostic(`olmoe fp16: TS BS prefill ${ts.prefill.toExponential(2)} decode ${ts.decode.toExponential(2)} (tolerance 5e-2)`);
    assert.ok(ts.prefill < 5e-2 && ts.decode < 5e-2, `fp16: ${JSON.stringify(ts)}`);
  } finally {
    temp.dispose();
  }
});
