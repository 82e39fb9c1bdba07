// The testbed pipeline: read → parse YAML → schema → read model shape, token and traces → normalise → rules,
// returning `{ testbed, warnings } | { errors }` (changesets `parse.ts`). Never throws for a user
// mistake; every problem is a located issue. Called by validate.ts and by every command taking a testbed.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseWithSchema, parseYamlSource } from './parse.js';
import { readModelShape } from './model-shape.js';
import { BUNDLED_MODEL_DIR, normaliseTestbed, resolveUserPath, type ExternalInputs } from './normalise.js';
import { keepPlacementSpecsAsWritten } from './placement.js';
import { readTraces } from './read-traces.js';
import { readTokenFile } from '../core/index.js';
import { RULES, runRules } from './rules.js';
import { TestbedFileSchema, type ParsedTestbedFile } from './schema.js';
import type { Testbed, TestbedIssue } from './types.js';

export interface LoadTestbedOptions {
  // Extra profile folders searched before the bundled profiles/ (each may have a links/ subfolder).
  readonly profileDirs?: readonly string[];
}

export type LoadTestbedResult =
  | { readonly testbed: Testbed; readonly warnings: readonly TestbedIssue[] }
  | { readonly errors: readonly TestbedIssue[] };

function readExternalInputs(file: string, parsed: ParsedTestbedFile): ExternalInputs {
  const modelDir = parsed.model === undefined ? BUNDLED_MODEL_DIR : resolveUserPath(file, parsed.model);
  const token: ExternalInputs['token'] =
    parsed.auth.token !== undefined ? { ok: true, token: parsed.auth.token } : readTokenFile(resolveUserPath(file, parsed.auth.token_file!));
  return { modelDir, model: readModelShape(modelDir), token, traces: readTraces(file, parsed) };
}

function byPosition(issues: TestbedIssue[]): TestbedIssue[] {
  return issues.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}

// Loads and validates the testbed at `path` (relative paths inside it are relative to it).
export async function loadTestbed(path: string, options: LoadTestbedOptions = {}): Promise<LoadTestbedResult> {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { errors: [{ file: path, line: 0, col: 0, field: '(file)', message: code === 'ENOENT' ? 'testbed file not found' : `cannot read testbed file: ${(error as Error).message}` }] };
  }
  return loadTestbedText(path, text, options);
}

// The same pipeline over text already in memory; `file` is what issues name and what paths resolve against.
export function loadTestbedText(file: string, text: string, options: LoadTestbedOptions = {}): LoadTestbedResult {
  const source = parseYamlSource(file, text);
  if (!source.ok) return { errors: source.issues };
  keepPlacementSpecsAsWritten(source.value.doc);
  const parsed = parseWithSchema(source.value, TestbedFileSchema);
  if (!parsed.ok) return { errors: parsed.issues };

  const external = readExternalInputs(resolve(file), parsed.value);
  const issues: TestbedIssue[] = [];
  // Profiles next to the testbed (`<testbed dir>/profiles/`, where `wdmoe profile` writes) come before the bundled ones.
  const profileDirs = [...(options.profileDirs ?? []), join(dirname(resolve(file)), 'profiles')];
  const testbed = normaliseTestbed({ source: source.value, parsed: parsed.value, external, profileDirs, issues });
  const checked = runRules(RULES, { source: source.value, parsed: parsed.value, testbed, external });
  const errors = [...issues, ...checked.errors];
  if (errors.length > 0) return { errors: byPosition(errors) };
  return { testbed: Object.freeze({ ...testbed, file: resolve(file) }), warnings: byPosition(checked.warnings) };
}
