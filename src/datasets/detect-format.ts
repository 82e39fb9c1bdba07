// Guesses a dataset file's format from the fields of its first record, and describes what each format needs
// (for the "no known format" error). Called by load-dataset.ts when `format` is 'auto'.

import { getPath, type JsonRecord } from './fields.js';
import type { DatasetFormat } from './types.js';

// What each format's records must carry, as shown to the user.
export const FORMAT_FIELDS: Readonly<Record<DatasetFormat, string>> = {
  jsonl: 'id, context, choices, gold',
  gen: 'id, context, answer',
  arc: 'question.stem (or question), question.choices[{text,label}] (or choices{text,label}), answerKey',
  piqa: 'goal, sol1, sol2, label',
  hellaswag: 'activity_label, ctx_a+ctx_b (or ctx), endings, label',
  boolq: 'question, passage, answer (or label)',
  mmlu: 'question, choices[4], answer',
};

const has = (record: JsonRecord, path: string): boolean => getPath(record, path) !== undefined;

// Ordered: the first rule that matches wins (the bundled formats first, then the public ones).
const RULES: ReadonlyArray<[DatasetFormat, (record: JsonRecord) => boolean]> = [
  ['jsonl', (r) => has(r, 'context') && has(r, 'choices') && has(r, 'gold')],
  ['gen', (r) => has(r, 'context') && has(r, 'answer') && !has(r, 'choices')],
  ['arc', (r) => has(r, 'answerKey') && (has(r, 'question.stem') || (has(r, 'question') && has(r, 'choices.text')))],
  ['piqa', (r) => has(r, 'goal') && has(r, 'sol1') && has(r, 'sol2')],
  ['hellaswag', (r) => has(r, 'endings') && (has(r, 'ctx') || has(r, 'ctx_a'))],
  ['boolq', (r) => has(r, 'question') && has(r, 'passage') && (has(r, 'answer') || has(r, 'label'))],
  ['mmlu', (r) => has(r, 'question') && Array.isArray(r.choices) && has(r, 'answer')],
];

// The format whose fields the record has, or null when none fits.
export function detectFormat(record: JsonRecord): DatasetFormat | null {
  for (const [format, matches] of RULES) if (matches(record)) return format;
  return null;
}

// The record's field names, nested objects shown one level deep (`question.stem`), for error messages.
export function listFields(record: JsonRecord): string[] {
  return Object.entries(record).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.keys(value).map((inner) => `${key}.${inner}`)
      : [key],
  );
}
