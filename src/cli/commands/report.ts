// `wdmoe report <run>`: the latency/accuracy table of a run, and its JSON/Markdown/CSV files.
import path from 'node:path';
import { Command, Option } from 'commander';
import { reportRun, renderSummaryCsv, renderSummaryMarkdown, renderSummaryTable } from '../../report/index.js';
import { type Action, type CommandContext, printResult } from '../context.js';

export function registerReport(program: Command, context: CommandContext, action: Action): void {
  program
    .command('report')
    .description('summarise a run folder: print the table and write summary.json, summary.md, summary.csv into it')
    .argument('<run>', 'run folder written by `wdmoe bench` (runs/<id>)')
    .addOption(new Option('--format <format>', 'what to print').choices(['table', 'markdown', 'csv']).default('table'))
    .option('--json', 'print the summary as JSON')
    .action(
      action(async (runDir: string, flags: { format: 'table' | 'markdown' | 'csv'; json?: boolean }) => {
        const report = await reportRun(runDir);
        for (const warning of report.warnings) process.stderr.write(`warning: ${warning}\n`);
        const render = { table: () => renderSummaryTable(report.summary, { color: context.stdoutIsTty }), markdown: () => renderSummaryMarkdown(report.summary), csv: () => renderSummaryCsv(report.summary) }[flags.format];
        printResult(flags.json === true, report.summary, render);
        process.stderr.write(`wrote ${report.files.map((file) => path.relative(process.cwd(), file)).join(', ')}\n`);
      }),
    );
}
