// The bundled lm-eval-style formats: multiple choice `{id, context, choices, gold}` and generation
// `{id, context, answer}`. The context is used as written; bench appends `" " + choice`.
// Called by load-dataset.ts.

import { readId, readIndex, readString, readStringArray, type JsonRecord } from './fields.js';
import type { GenItem, McItem, RecordLocation } from './types.js';

// One `{id, context, choices, gold}` line.
export function parsePlainRecord(record: JsonRecord, at: RecordLocation): McItem {
  const choices = readStringArray(record, 'choices', at);
  return {
    id: readId(record, ['id'], at),
    context: readString(record, 'context', at),
    choices,
    gold: readIndex(record, 'gold', choices.length, at),
  };
}

// One `{id, context, answer}` generation line.
export function parseGenRecord(record: JsonRecord, at: RecordLocation): GenItem {
  return {
    id: readId(record, ['id'], at),
    context: readString(record, 'context', at),
    answer: readString(record, 'answer', at),
  };
}
