// The core of `wdmoe validate <file> [--json]`: load the testbed and answer ok/errors as data
// (cli/ prints it and exits 2 on errors). Also `assertValidTestbed` for commands that need a
// testbed or a TestbedError. Imports only testbed modules.
import { TestbedError } from './errors.js';
import { loadTestbed, type LoadTestbedOptions } from './load.js';
import type { Testbed, TestbedIssue } from './types.js';

export type ValidateTestbedResult =
  | { readonly ok: true; readonly testbed: Testbed; readonly warnings: readonly TestbedIssue[] }
  | { readonly ok: false; readonly errors: readonly TestbedIssue[] };

// Loads the testbed at `path` and says whether it is valid.
export async function validateTestbed(path: string, options: LoadTestbedOptions = {}): Promise<ValidateTestbedResult> {
  const result = await loadTestbed(path, options);
  if ('errors' in result) return { ok: false, errors: result.errors };
  return { ok: true, testbed: result.testbed, warnings: result.warnings };
}

// Loads the testbed at `path` or throws a TestbedError (exit code 2) listing every issue.
export async function assertValidTestbed(path: string, options: LoadTestbedOptions = {}): Promise<{ testbed: Testbed; warnings: readonly TestbedIssue[] }> {
  const result = await loadTestbed(path, options);
  if ('errors' in result) throw new TestbedError(result.errors);
  return result;
}
