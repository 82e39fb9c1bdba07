// Turns zod issues into located `file:line:col field: expected … got …` issues: unknown keys get a
// "did you mean", a union that fails reports the branch the user evidently meant (or its accepted forms).
// Reaches into zod's `_zod.def` to list the keys a path allows; keep that knowledge in this file.
// Used by parse.ts; imports zod types, fastest-levenshtein and locate.ts.
import { distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { describeNodeAt, formatField, hasValueAt, issueAt, keyPositionOf, type FieldPath, type YamlSource } from './locate.js';
import type { TestbedIssue } from './types.js';

type Issue = z.core.$ZodIssue;
type SchemaDef = { type: string; innerType?: unknown; in?: unknown; shape?: Record<string, unknown>; element?: unknown;
  valueType?: unknown; options?: unknown[] };

function defOf(schema: unknown): SchemaDef {
  return (schema as { _zod: { def: SchemaDef } })._zod.def;
}

// Strips optional/default/nullable/pipe wrappers down to the schema that has the structure.
function unwrap(schema: unknown): unknown {
  let current = schema;
  for (let guard = 0; guard < 16; guard += 1) {
    const def = defOf(current);
    if (def.innerType !== undefined) current = def.innerType;
    else if (def.type === 'pipe' && def.in !== undefined) current = def.in;
    else return current;
  }
  return current;
}

function schemasAt(schema: unknown, path: FieldPath): unknown[] {
  let current = [unwrap(schema)];
  for (const segment of path) {
    const next: unknown[] = [];
    for (const candidate of current.flatMap(expandUnion)) {
      const def = defOf(candidate);
      if (def.type === 'object' && typeof segment === 'string' && def.shape?.[segment]) next.push(unwrap(def.shape[segment]));
      if (def.type === 'array' && typeof segment === 'number' && def.element) next.push(unwrap(def.element));
      if (def.type === 'record' && def.valueType) next.push(unwrap(def.valueType));
    }
    current = next;
  }
  return current.flatMap(expandUnion);
}

function expandUnion(schema: unknown): unknown[] {
  const def = defOf(schema);
  return def.type === 'union' && def.options ? def.options.map(unwrap) : [schema];
}

// The keys the schema allows for the map at `path`.
export function knownKeysAt(schema: unknown, path: FieldPath): string[] {
  return schemasAt(schema, path).flatMap((candidate) => {
    const def = defOf(candidate);
    return def.type === 'object' && def.shape ? Object.keys(def.shape) : [];
  });
}

// `; did you mean "x"?` (or "x" or "y" on a tie) when known keys are close enough, else the known keys.
export function suggestKey(unknown: string, known: readonly string[]): string {
  if (known.length === 0) return '';
  const limit = Math.max(2, Math.floor(unknown.length / 3));
  const scored = known.map((candidate) => ({ candidate, score: distance(unknown, candidate) })).filter(({ score }) => score <= limit);
  if (scored.length === 0) return `; expected one of: ${known.join(', ')}`;
  scored.sort((a, b) => a.score - b.score);
  const near = scored.filter(({ score }) => score === scored[0]!.score).slice(0, 2).map(({ candidate }) => `"${candidate}"`);
  return `; did you mean ${near.join(' or ')}?`;
}

const TYPE_NAMES: Readonly<Record<string, string>> = { object: 'a map', array: 'a list', string: 'a string', number: 'a number' };

function messageFor(source: YamlSource, issue: Issue, path: FieldPath): string {
  const got = describeNodeAt(source, path);
  switch (issue.code) {
    case 'invalid_type':
      if (!hasValueAt(source, path)) return 'required key is missing';
      if (issue.message.startsWith('expected')) return `${issue.message}, got ${got}`;
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, got ${got}`;
    case 'invalid_value': {
      const accepted = issue.values.map((value) => JSON.stringify(value));
      const wrote = source.doc.getIn(path as (string | number)[]);
      const hint = typeof wrote === 'string' ? suggestKey(wrote, issue.values.map(String)) : '';
      return `expected ${accepted.join(' | ')}, got ${got}${hint.startsWith('; did') ? hint : ''}`;
    }
    case 'custom':
      return issue.message;
    default:
      return issue.message.includes(', got ') ? issue.message : `${issue.message}, got ${got}`;
  }
}

// A failed union: report the branch whose failures lie deeper than the union itself (the shape the
// user evidently meant); when no branch got that far, report the union's accepted forms.
function unionIssues(source: YamlSource, schema: unknown, issue: Issue & { code: 'invalid_union' }, path: FieldPath) {
  const deeper = issue.errors.find((branch) => branch.length > 0 && branch.every((inner) => inner.path.length > 0));
  if (deeper) return deeper.flatMap((inner) => mapIssue(source, schema, inner, [...path, ...(inner.path as FieldPath)]));
  return [issueAt(source, path, `${issue.message}, got ${describeNodeAt(source, path)}`)];
}

function mapIssue(source: YamlSource, schema: unknown, issue: Issue, path: FieldPath): TestbedIssue[] {
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(schema, path);
    return issue.keys.map((key) => ({
      file: source.file,
      ...keyPositionOf(source, path, key),
      field: formatField([...path, key]),
      message: `unknown key "${key}"${suggestKey(key, known)}`,
    }));
  }
  if (issue.code === 'invalid_union') return unionIssues(source, schema, issue, path);
  return [issueAt(source, path, messageFor(source, issue, path))];
}

// Located issues for every zod issue of parsing `source` with `schema`, in file order.
export function locateZodIssues(source: YamlSource, schema: z.ZodType, issues: readonly Issue[]): TestbedIssue[] {
  const located = issues.flatMap((issue) => mapIssue(source, schema, issue, issue.path as FieldPath));
  return located.sort((a, b) => a.line - b.line || a.col - b.col);
}
