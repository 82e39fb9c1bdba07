// `wdmoe validate <testbed>`: print the resolved testbed, or every located error (exit 2).
import { Command } from 'commander';
import { formatIssue, renderTestbed, testbedToJson, TestbedError, validateTestbed } from '../../testbed/index.js';
import { type Action, type CommandContext, printResult } from '../context.js';

export function registerValidate(program: Command, _context: CommandContext, action: Action): void {
  program
    .command('validate')
    .description('check a testbed YAML file; print it resolved (defaults, profiles, placement) or its errors as file:line:col')
    .argument('<testbed>', 'testbed YAML file')
    .option('--json', 'print {"ok":true,"testbed":…} or {"ok":false,"errors":[…]} as JSON')
    .option('--verbose', 'say where each resolved setting came from (YAML line, profile or default)')
    .action(
      action(async (file: string, flags: { json?: boolean; verbose?: boolean }) => {
        const result = await validateTestbed(file);
        if (!result.ok) {
          if (flags.json === true) {
            printResult(true, { ok: false, errors: result.errors }, () => '');
            process.exitCode = 2;
            return;
          }
          throw new TestbedError(result.errors);
        }
        for (const warning of result.warnings) process.stderr.write(`warning: ${formatIssue(warning)}\n`);
        printResult(flags.json === true, { ok: true, testbed: testbedToJson(result.testbed), warnings: result.warnings }, () => renderTestbed(result.testbed, { verbose: flags.verbose === true }));
      }),
    );
}
