// HellaSwag records `{ind, activity_label, ctx_a, ctx_b, ctx, endings, label}` (original and Hugging Face layouts).
// Prompt as lm-evaluation-harness lm_eval/tasks/hellaswag/utils.py: query = preprocess(activity_label + ": " +
// ctx_a + " " + ctx_b.capitalize()), choices = preprocess(ending) each, gold = int(label).
// Records with only `ctx` use it in place of ctx_a/ctx_b.

import { getPath, readId, readIndex, readString, readStringArray, type JsonRecord } from './fields.js';
import type { McItem, RecordLocation } from './types.js';

// Python's str.capitalize(): first character upper case, the rest lower case.
export function capitalizeLikePython(text: string): string {
  const [first, ...rest] = [...text];
  return first === undefined ? '' : first.toUpperCase() + rest.join('').toLowerCase();
}

// lm-eval's hellaswag preprocess: strip, " [title]" → ". ", drop [bracket tags], collapse double spaces once.
export function preprocessHellaswagText(text: string): string {
  return text.trim().replaceAll(' [title]', '. ').replace(/\[.*?\]/g, '').replaceAll('  ', ' ');
}

// One HellaSwag record → McItem.
export function parseHellaswagRecord(record: JsonRecord, at: RecordLocation): McItem {
  const context = getPath(record, 'ctx_a') !== undefined
    ? `${readString(record, 'ctx_a', at)} ${capitalizeLikePython(readString(record, 'ctx_b', at))}`
    : readString(record, 'ctx', at);
  const choices = readStringArray(record, 'endings', at).map(preprocessHellaswagText);
  return {
    id: readId(record, ['ind', 'id'], at),
    context: preprocessHellaswagText(`${readString(record, 'activity_label', at)}: ${context}`),
    choices,
    gold: readIndex(record, 'label', choices.length, at),
  };
}
