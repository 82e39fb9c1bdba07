// BoolQ records: the original release `{question, passage, answer: true|false, title}` or SuperGLUE's
// `{question, passage, label: 0|1, idx}`.
// Prompt as lm-evaluation-harness lm_eval/tasks/super_glue/boolq/default.yaml:
// doc_to_text "{{passage}}\nQuestion: {{question}}?\nAnswer:", doc_to_choice ["no", "yes"], doc_to_target label.

import { DatasetError } from './errors.js';
import { describeJsonType, readId, readIndex, readString, type JsonRecord } from './fields.js';
import type { McItem, RecordLocation } from './types.js';

const CHOICES = ['no', 'yes'] as const;

function readGold(record: JsonRecord, at: RecordLocation): number {
  if (record.answer === undefined) return readIndex(record, 'label', CHOICES.length, at);
  if (typeof record.answer === 'boolean') return record.answer ? 1 : 0;
  if (record.answer === 'true' || record.answer === 'false') return record.answer === 'true' ? 1 : 0;
  throw DatasetError.atRecord(at, `field "answer": expected true or false, got ${describeJsonType(record.answer)} ${JSON.stringify(record.answer)}`);
}

// One BoolQ record → McItem.
export function parseBoolqRecord(record: JsonRecord, at: RecordLocation): McItem {
  const passage = readString(record, 'passage', at);
  const question = readString(record, 'question', at);
  return {
    id: readId(record, ['id', 'idx'], at),
    context: `${passage}\nQuestion: ${question}?\nAnswer:`,
    choices: [...CHOICES],
    gold: readGold(record, at),
  };
}
