// Shared by the Python-backed e2e tests (exporter parity, lm-eval comparison): the interpreter in .venv that
// scripts/python-env.sh builds from requirements-test.txt (`npm test` runs it first, as "pretest").
// A missing or broken environment is a test FAILURE naming the cause, never a silent skip.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa, type Options } from 'execa';
import { ROOT } from './helpers.js';

export const VENV_PYTHON = path.join(ROOT, '.venv/bin/python');
const ERROR_FILE = path.join(ROOT, '.venv/python-env.error');
const STAMP = path.join(ROOT, '.venv/.requirements-test.sha256');

// The venv's python, or throws saying why there is none and how to get it.
export function requirePython(): string {
  const setup = 'run `bash scripts/python-env.sh` (npm test does it first) with PyPI reachable';
  if (existsSync(ERROR_FILE)) {
    throw new Error(`Python test environment unavailable: ${readFileSync(ERROR_FILE, 'utf8').trim()} — ${setup}`);
  }
  if (!existsSync(VENV_PYTHON)) throw new Error(`Python test environment missing: no ${VENV_PYTHON} — ${setup}`);
  if (!existsSync(STAMP)) throw new Error(`Python test environment incomplete: .venv has no requirements-test.txt stamp — ${setup}`);
  return VENV_PYTHON;
}

// Runs a Python script of scripts/ with the venv's interpreter; throws with its output when it fails.
export async function runPython(args: readonly string[], options: Options = {}): Promise<string> {
  const python = requirePython();
  const result = await execa(python, [...args], {
    cwd: ROOT,
    reject: false,
    all: true,
    timeout: 300_000,
    env: { PYTHONHASHSEED: '0', TOKENIZERS_PARALLELISM: 'false', HF_HUB_OFFLINE: '1', TRANSFORMERS_OFFLINE: '1', HF_DATASETS_OFFLINE: '1', ...(options.env ?? {}) },
    ...options,
  });
  const output = String(result.all ?? '');
  if (result.exitCode !== 0) throw new Error(`python ${args.join(' ')} exited ${result.exitCode}:\n${output.slice(-4000)}`);
  return output;
}
