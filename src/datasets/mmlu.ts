// MMLU records in the Hugging Face `cais/mmlu` layout `{question, subject, choices: [4], answer: 0..3}`
// (`answer` may also be a letter A–D, as some CSV conversions write it).
// Prompt as lm-evaluation-harness lm_eval/tasks/mmlu/default/_default_template_yaml:
// "{{question.strip()}}\nA. {{choices[0]}}\nB. …\nD. {{choices[3]}}\nAnswer:", doc_to_choice ["A","B","C","D"]
// (scored as " A" … " D"), preceded by each subject's description (mmlu_<subject>.yaml):
// "The following are multiple choice questions (with answers) about <subject with spaces>.\n\n".

import { DatasetError } from './errors.js';
import { readId, readIndex, readString, readStringArray, type JsonRecord } from './fields.js';
import type { McItem, RecordLocation } from './types.js';

const LETTERS = ['A', 'B', 'C', 'D'] as const;

function readAnswer(record: JsonRecord, at: RecordLocation): number {
  const letter = typeof record.answer === 'string' ? LETTERS.indexOf(record.answer.trim() as (typeof LETTERS)[number]) : -1;
  return letter >= 0 ? letter : readIndex(record, 'answer', LETTERS.length, at);
}

// One MMLU record → McItem.
export function parseMmluRecord(record: JsonRecord, at: RecordLocation): McItem {
  const options = readStringArray(record, 'choices', at);
  if (options.length !== LETTERS.length) {
    throw DatasetError.atRecord(at, `field "choices": expected 4 choices, got ${options.length}`);
  }
  const subject = typeof record.subject === 'string' && record.subject.length > 0 ? record.subject : null;
  const description = subject === null
    ? ''
    : `The following are multiple choice questions (with answers) about ${subject.replaceAll('_', ' ')}.\n\n`;
  const listed = options.map((option, index) => `${LETTERS[index]}. ${option}`).join('\n');
  return {
    id: readId(record, ['id'], at),
    context: `${description}${readString(record, 'question', at).trim()}\n${listed}\nAnswer:`,
    choices: [...LETTERS],
    gold: readAnswer(record, at),
  };
}
