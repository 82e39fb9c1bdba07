// Scoring checked against lm-evaluation-harness itself. A tiny random Mixtral checkpoint (with tokenizer) is
// scored by `lm-eval --model hf` (transformers on the checkpoint folder, offline) on local ARC-Easy / PIQA /
// HellaSwag files in their Hugging Face layouts, with task YAMLs (scripts/lm_eval_tasks/) that are lm-eval's own
// arc_easy / piqa / hellaswag configs with only the dataset swapped; and by `wdmoe bench --placement local` on the
// bundle exported from the same checkpoint, on the same files. Per-choice log-likelihoods must agree within 1e-4,
// and acc / acc_norm item by item.
// BOS: the bundle's manifest tokenizer.addBosToken decides the lm-eval model arg add_bos_token (both prepend <s>).
// Batching differs on purpose: wdmoe batches the choices of one item (right-padded); lm-eval --batch_size 3 batches
// requests across items, sorted by length.
// Needs .venv (scripts/python-env.sh); fails, never skips, without it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT, readJsonl, runWdmoe, tempDir, writeTestbed } from './helpers.js';
import { runPython } from './python.js';

const FIXTURES = 'test/fixtures/datasets/lm-eval';
const TASKS = [
  { format: 'arc', task: 'wdmoe_arc_easy', file: `${FIXTURES}/arc_easy.jsonl`, idOf: (doc: any, _n: number) => String(doc.id) },
  { format: 'piqa', task: 'wdmoe_piqa', file: `${FIXTURES}/piqa.jsonl`, idOf: (_doc: any, n: number) => `line-${n + 1}` },
  { format: 'hellaswag', task: 'wdmoe_hellaswag', file: `${FIXTURES}/hellaswag.jsonl`, idOf: (doc: any, _n: number) => String(doc.ind) },
] as const;

interface LmEvalSample { doc_id: number; doc: any; target: string | number; filtered_resps: Array<[string, string]>; acc: number; acc_norm: number }
interface WdmoeScore { id: string; loglikelihoods: number[]; prediction: number; prediction_norm: number; gold: number }

test('wdmoe bench scores ARC/PIQA/HellaSwag items like lm-eval (HF backend) on the same checkpoint: log-likelihoods within 1e-4, acc and acc_norm item by item', async (t) => {
  const temp = tempDir('wdmoe-lm-eval-');
  try {
    const checkpoint = path.join(temp.dir, 'checkpoint');
    const bundle = path.join(temp.dir, 'bundle');
    await runPython(['scripts/make_tiny_checkpoint.py', '--family', 'mixtral', '--out', checkpoint, '--seed', '0']);
    await runPython(['scripts/export_bundle.py', '--checkpoint', checkpoint, '--out', bundle, '--name', 'tiny-mixtral-lm-eval']);
    const manifest = JSON.parse(readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
    const addBos = manifest.tokenizer.addBosToken as boolean;
    assert.equal(addBos, true, 'export_bundle.py without --no-bos: prompts start with <s>');

    const lmEvalOut = path.join(temp.dir, 'lm-eval');
    await runPython([
      '-m', 'lm_eval', '--model', 'hf',
      '--model_args', `pretrained=${checkpoint},dtype=float32,add_bos_token=${addBos ? 'True' : 'False'}`,
      '--tasks', TASKS.map((task) => task.task).join(','), '--include_path', 'scripts/lm_eval_tasks',
      '--device', 'cpu', '--batch_size', '3', '--log_samples', '--output_path', lmEvalOut,
    ], { env: { HF_HOME: path.join(temp.dir, 'hf-home'), HF_HUB_OFFLINE: '1', HF_DATASETS_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1' } });
    const [modelDir] = readdirSync(lmEvalOut);
    const sampleFiles = readdirSync(path.join(lmEvalOut, modelDir!));

    const testbed = await writeTestbed(temp.dir, { devices: 1, model: bundle });
    let worst = 0;
    let items = 0;
    let choices = 0;
    const agreement: string[] = [];
    for (const task of TASKS) {
      const out = path.join(temp.dir, `run-${task.format}`);
      const bench = await runWdmoe(['bench', testbed.file, '--placement', 'local', '--dataset', path.join(ROOT, task.file), '--format', task.format, '--out', out]);
      assert.equal(bench.exitCode, 0, `wdmoe bench --format ${task.format} failed:\n${bench.stderr}`);
      const scores = new Map(readJsonl<WdmoeScore>(path.join(out, 'scores.jsonl')).map((line) => [line.id, line]));

      const sampleFile = sampleFiles.find((name) => name.startsWith(`samples_${task.task}_`));
      assert.ok(sampleFile, `lm-eval wrote no samples for ${task.task} (files: ${sampleFiles.join(', ')})`);
      const samples = readJsonl<LmEvalSample>(path.join(lmEvalOut, modelDir!, sampleFile));
      const fixtureLines = readFileSync(path.join(ROOT, task.file), 'utf8').split('\n').filter((line) => line !== '').length;
      assert.equal(samples.length, fixtureLines, `${task.task}: lm-eval scored every item`);
      assert.equal(scores.size, fixtureLines, `${task.format}: wdmoe scored every item`);
      let accAgree = 0;
      let normAgree = 0;
      let accSum = 0;
      let normSum = 0;
      for (const sample of samples) {
        const id = task.idOf(sample.doc, sample.doc_id);
        const ours = scores.get(id);
        assert.ok(ours, `${task.format}: no wdmoe score for item ${id}`);
        const theirs = sample.filtered_resps.map(([ll]) => Number(ll));
        assert.equal(ours.loglikelihoods.length, theirs.length, `${task.format} ${id}: number of choices`);
        ours.loglikelihoods.forEach((ll, c) => {
          const diff = Math.abs(ll - theirs[c]!);
          worst = Math.max(worst, diff);
          assert.ok(diff < 1e-4, `${task.format} ${id} choice ${c}: wdmoe ${ll} vs lm-eval ${theirs[c]} (|Δ| ${diff})`);
        });
        choices += theirs.length;
        assert.equal(ours.gold, Number(sample.target), `${task.format} ${id}: gold`);
        assert.equal(ours.prediction === ours.gold ? 1 : 0, sample.acc, `${task.format} ${id}: acc (wdmoe picks ${ours.prediction}, lm-eval ${sample.acc})`);
        assert.equal(ours.prediction_norm === ours.gold ? 1 : 0, sample.acc_norm, `${task.format} ${id}: acc_norm (wdmoe picks ${ours.prediction_norm}, lm-eval ${sample.acc_norm})`);
        accAgree += 1;
        normAgree += 1;
        accSum += sample.acc;
        normSum += sample.acc_norm;
        items += 1;
      }
      agreement.push(`${task.format}: acc agrees ${accAgree}/${samples.length} (acc ${accSum}/${samples.length}), acc_norm agrees ${normAgree}/${samples.length} (acc_norm ${normSum}/${samples.length})`);
    }
    t.diagnostic(`lm-eval vs wdmoe: ${items} items, ${choices} choices, max |Δ loglikelihood| ${worst.toExponential(2)}; ${agreement.join('; ')}`);
  } finally {
    temp.dispose();
  }
});
