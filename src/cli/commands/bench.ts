// `wdmoe bench <testbed>`: run datasets through the split model and print the latency/accuracy table.
import path from 'node:path';
import { Command, Option } from 'commander';
import { runBench } from '../../bench/index.js';
import { POLICY_NAMES } from '../../policy/index.js';
import { DATASET_FORMATS } from '../../datasets/index.js';
import { renderRunTable } from '../../report/index.js';
import { integer, list, positiveInt } from '../flag-parsers.js';
import { type Action, type CommandContext, printResult } from '../context.js';
import { createBenchProgress } from '../progress.js';
import { resolveStateDir } from './loopback.js';




export function registerBench(program: Command, context: CommandContext, action: Action): void {
  program
    .command('bench')
    .description('run datasets through the split model under each policy; write runs/<id>/ and print the table')
    .argument('<testbed>', 'testbed YAML file (loopback testbeds start their agents themselves)')
    .option('--dataset <name|path>', 'dataset name (bundled: add, compare, sort, pattern, lookup, mul; add-gen, … for --task generate) or file; repeat or comma-separate; default: every bundled set of the task', list, [])
    .addOption(new Option('--task <task>', '"multiple-choice": score each choice by log-likelihood (lm-eval); "generate": greedy decode with a KV cache, exact match').choices(['multiple-choice', 'generate']).default('multiple-choice'))
    .addOption(new Option('--format <format>', 'dataset file format').choices(['auto', ...DATASET_FORMATS]).default('auto'))
    .option('--max-new-tokens <n>', 'generate: at most n tokens per answer', positiveInt, 16)
    .option('--policy <specs>', `policies to compare in one run, comma-separated: ${POLICY_NAMES.join(', ')}; parameters as name:key=value (wdmoe:theta=0.3,rounds=5), or a module of your own: ./my-policy.mjs[:key=value] (docs/policies.md; default: topk)`, list)
    .option('--limit <n>', 'at most n items per dataset', positiveInt)
    .option('--out <dir>', 'run folder (default: runs/<timestamp>)')
    .option('--resume', 'carry on with the run in --out (or the newest in runs/), skipping recorded items; refused when the task, model, testbed or --placement/--shaping/--seed differ')
    .addOption(new Option('--placement <where>', '"testbed": experts on the devices; "local": all experts in this process (the monolithic reference)').choices(['testbed', 'local']).default('testbed'))
    .addOption(new Option('--shaping <mode>', '"testbed": shape links as the testbed says; "none": unshaped').choices(['testbed', 'none']).default('testbed'))
    .option('--seed <n>', 'seed for link jitter/loss and stochastic policies', integer, 0)
    .addOption(new Option('--on-device-loss <mode>', 'a device lost mid-run (deadline missed, connection closed, ERROR) whose experts no other device that is up holds: "fail" records the item as failed and stops the run; "skip" carries on without those experts, renormalising the gate weights over the kept ones (replicas in the placement always fail over first)').choices(['fail', 'skip']).default('fail'))
    .option('--no-link-check', 'skip the short check of each shaped link against its model before the first item')
    .option('--threads <n>', 'onnxruntime threads at the BS', positiveInt, 1)
    .option('--state-dir <dir>', 'loopback state directory (default: .wdmoe or $WDMOE_STATE_DIR)')
    .option('--json', 'print {"runDir","itemsRun","itemsResumed","summary"} as JSON; progress as JSON lines on stderr')
    .option('--verbose', 'one progress line per item, with timestamps')
    .action(
      action(async (testbedPath: string, flags: { dataset: string[]; task: 'multiple-choice' | 'generate'; maxNewTokens: number; format: string; policy?: string[]; limit?: number; out?: string; resume?: boolean; placement: 'testbed' | 'local'; shaping: 'testbed' | 'none'; linkCheck: boolean; seed: number; onDeviceLoss: 'fail' | 'skip'; threads: number; stateDir?: string; json?: boolean; verbose?: boolean }) => {
        const options = Object.freeze({
          testbedPath,
          datasets: flags.dataset,
          format: flags.format as 'auto',
          task: flags.task,
          maxNewTokens: flags.maxNewTokens,
          policies: flags.policy ?? ['topk'],
          cwd: process.cwd(),
          linkCheck: flags.linkCheck,
          limit: flags.limit ?? null,
          outDir: flags.out ?? null,
          runsDir: path.resolve('runs'),
          resume: flags.resume === true,
          placement: flags.placement,
          shaping: flags.shaping,
          seed: flags.seed,
          onDeviceLoss: flags.onDeviceLoss,
          stateDir: resolveStateDir(flags.stateDir),
          intraOpThreads: flags.threads,
          tool: `wdmoe ${program.version() ?? ''}`.trim(),
        });
        const progress = createBenchProgress({ json: flags.json === true, tty: context.stderrIsTty, verbose: flags.verbose === true });
        try {
          const result = await runBench(options, { signal: context.signal, onEvent: progress.onEvent });
          progress.stop();
          // The same tables `wdmoe report <run>` prints (one code path: report/ reads the run folder back).
          const table = flags.json === true ? '' : await renderRunTable(result.runDir, { color: context.stdoutIsTty });
          printResult(flags.json === true, { runDir: result.runDir, itemsRun: result.itemsRun, itemsResumed: result.itemsResumed, summary: result.summary }, () =>
            `${table}\nrun folder: ${path.relative(process.cwd(), result.runDir) || '.'}`,
          );
        } finally {
          progress.stop();
        }
      }),
    );
}
