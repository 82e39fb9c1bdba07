// Parses YAML text into a `YamlSource` (keeping node ranges) and validates it against a zod schema,
// returning located issues instead of throwing. Used for testbed files (load.ts) and profiles.
// Imports yaml and zod-issues.ts; no file I/O.
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { YamlSource } from './locate.js';
import type { TestbedIssue } from './types.js';
import { locateZodIssues } from './zod-issues.js';

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: TestbedIssue[] };

// Parses YAML text; malformed YAML (including duplicate keys) becomes located issues.
export function parseYamlSource(file: string, text: string): ParseResult<YamlSource> {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((error) => {
        const position = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
        return { file, line: position.line, col: position.col, field: '(yaml)', message: `malformed YAML: ${firstLine(error.message)}` };
      }),
    };
  }
  return { ok: true, value: { file, text, doc, lineCounter } };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

// Validates the document's data against `schema`.
export function parseWithSchema<S extends z.ZodType>(source: YamlSource, schema: S): ParseResult<z.output<S>> {
  const data: unknown = source.doc.toJS() ?? {};
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: locateZodIssues(source, schema, result.error.issues) };
}
