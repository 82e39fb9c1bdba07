// `wdmoe report <run>...`: tables of one or more run folders (terminal, Markdown, CSV, JSON) or an HTML
// page with plots; --out writes a file instead of printing. The work is report/'s reportRuns.
import path from 'node:path';
import { Command, Option } from 'commander';
import { REPORT_FORMATS, reportRuns, type ReportFormat } from '../../report/index.js';
import type { Action, CommandContext } from '../context.js';

export function registerReport(program: Command, context: CommandContext, action: Action): void {
  program
    .command('report')
    .description('report run folders: accuracy with 95% intervals, latency percentiles and breakdown, per-device load, experts dropped, and a comparison against --baseline; an HTML page with plots')
    .argument('<run...>', 'run folders written by `wdmoe bench` (runs/<id>); several are compared')
    .addOption(new Option('--format <format>', 'what to produce (markdown = md)').choices([...REPORT_FORMATS, 'markdown']).default('table'))
    .option('--out <file>', 'write the report to this file instead of printing it')
    .option('--baseline <policy>', 'policy (or run/policy) the comparison is against (default: topk, else the first)')
    .option('--json', 'same as --format json')
    .action(
      action(async (runDirs: string[], flags: { format: ReportFormat | 'markdown'; out?: string; baseline?: string; json?: boolean }) => {
        const format: ReportFormat = flags.json === true ? 'json' : flags.format === 'markdown' ? 'md' : flags.format;
        const output = await reportRuns(Object.freeze({ runDirs, format, outFile: flags.out ?? null, baseline: flags.baseline ?? null, color: context.stdoutIsTty }));
        if (format === 'csv') for (const note of output.notes) process.stderr.write(`note: ${note}\n`);
        if (output.file === null) process.stdout.write(output.text.endsWith('\n') ? output.text : `${output.text}\n`);
        else process.stderr.write(`wrote ${path.relative(process.cwd(), output.file) || output.file}\n`);
      }),
    );
}
