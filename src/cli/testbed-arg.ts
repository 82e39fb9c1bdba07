// Loads the testbed a command names, or throws TestbedError (exit 2) listing every located issue.
// Warnings go to stderr; only cli/ prints.
import { assertValidTestbed, formatIssue, type Testbed } from '../testbed/index.js';

export async function requireTestbed(file: string): Promise<Testbed> {
  const { testbed, warnings } = await assertValidTestbed(file);
  for (const warning of warnings) process.stderr.write(`warning: ${formatIssue(warning)}\n`);
  return testbed;
}
