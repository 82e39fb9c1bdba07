// The testbed piece's error: an invalid testbed file, carrying every located issue.
// Thrown only by callers that want an exception (`assertValidTestbed`); load/validate return issues.
// Imports core only.
import { EXIT_BAD_INPUT, WdmoeError } from '../core/index.js';
import { formatIssue } from './locate.js';
import type { TestbedIssue } from './types.js';

// An invalid testbed: the message lists each `file:line:col field: message`.
export class TestbedError extends WdmoeError {
  readonly issues: readonly TestbedIssue[];
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly field: string;

  constructor(issues: readonly TestbedIssue[], cause?: unknown) {
    const first = issues[0];
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super('testbed-invalid', `invalid testbed ${first?.file ?? ''} (${count}):\n${issues.map((issue) => `  ${formatIssue(issue)}`).join('\n')}`, {
      hint: first ? `fix the file and check it again: wdmoe validate ${first.file}` : undefined,
      exitCode: EXIT_BAD_INPUT,
      cause,
    });
    this.issues = issues;
    this.file = first?.file ?? '';
    this.line = first?.line ?? 0;
    this.col = first?.col ?? 0;
    this.field = first?.field ?? '';
  }
}
