// Commander argument parsers shared by the commands: each turns a flag's text into a typed value or throws
// commander's InvalidArgumentError (rendered as a usage error, exit 2). cli/ only.
import { InvalidArgumentError } from 'commander';

// A positive integer (--limit, --threads, --repeats).
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

// Any integer (--seed).
export function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
}

// A repeatable, comma-separated list flag: every value, trimmed, empty items dropped.
export function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter((v) => v !== '')];
}
