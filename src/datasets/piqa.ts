// PIQA records `{goal, sol1, sol2, label}` (the Hugging Face `piqa` layout; the original release keeps labels
// in a separate .lst file: merge them into `label` first).
// Prompt as lm-evaluation-harness lm_eval/tasks/piqa/piqa.yaml: doc_to_text "Question: {{goal}}\nAnswer:",
// doc_to_choice [sol1, sol2], doc_to_target label.

import { readId, readIndex, readString, type JsonRecord } from './fields.js';
import type { McItem, RecordLocation } from './types.js';

// One PIQA record → McItem.
export function parsePiqaRecord(record: JsonRecord, at: RecordLocation): McItem {
  const choices = [readString(record, 'sol1', at), readString(record, 'sol2', at)];
  return {
    id: readId(record, ['id', 'idx'], at),
    context: `Question: ${readString(record, 'goal', at)}\nAnswer:`,
    choices,
    gold: readIndex(record, 'label', choices.length, at),
  };
}
