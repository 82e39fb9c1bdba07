// ARC (Easy/Challenge) records, in the original AI2 JSONL layout
// `{id, question: {stem, choices: [{text, label}]}, answerKey}` or the Hugging Face `ai2_arc` layout
// `{id, question, choices: {text: [], label: []}, answerKey}`.
// Prompt as lm-evaluation-harness lm_eval/tasks/arc/arc_easy.yaml: doc_to_text "Question: {{question}}\nAnswer:",
// doc_to_choice choices.text, doc_to_target choices.label.index(answerKey).

import { DatasetError } from './errors.js';
import { getPath, readId, readString, readStringArray, type JsonRecord } from './fields.js';
import type { McItem, RecordLocation } from './types.js';

// Some ARC answer keys are digits where the labels are letters (and the reverse): "1" ↔ "A".
function alternateLabel(key: string): string | null {
  if (/^[1-9]$/.test(key)) return String.fromCharCode(64 + Number(key));
  if (/^[A-I]$/.test(key)) return String(key.charCodeAt(0) - 64);
  return null;
}

function readChoices(record: JsonRecord, at: RecordLocation): { texts: string[]; labels: string[] } {
  const nested = getPath(record, 'question.choices');
  if (Array.isArray(nested)) {
    if (nested.length === 0) throw DatasetError.atRecord(at, 'field "question.choices": expected at least one choice, got []');
    const texts: string[] = [];
    const labels: string[] = [];
    nested.forEach((entry: unknown, index) => {
      const choice = entry as { text?: unknown; label?: unknown } | null;
      if (typeof choice !== 'object' || choice === null || typeof choice.text !== 'string' || typeof choice.label !== 'string') {
        throw DatasetError.atRecord(at, `field "question.choices[${index}]": expected {text: string, label: string}, got ${JSON.stringify(entry)}`);
      }
      texts.push(choice.text);
      labels.push(choice.label);
    });
    return { texts, labels };
  }
  const texts = readStringArray(record, 'choices.text', at);
  const labels = readStringArray(record, 'choices.label', at);
  if (labels.length !== texts.length) {
    throw DatasetError.atRecord(at, `field "choices.label": ${labels.length} labels for ${texts.length} choices`);
  }
  return { texts, labels };
}

// One ARC record → McItem.
export function parseArcRecord(record: JsonRecord, at: RecordLocation): McItem {
  const question = typeof getPath(record, 'question') === 'string'
    ? readString(record, 'question', at)
    : readString(record, 'question.stem', at);
  const { texts, labels } = readChoices(record, at);
  const answerKey = readString(record, 'answerKey', at).trim();
  let gold = labels.indexOf(answerKey);
  const alternate = alternateLabel(answerKey);
  if (gold < 0 && alternate !== null) gold = labels.indexOf(alternate);
  if (gold < 0) {
    throw DatasetError.atRecord(at, `field "answerKey": "${answerKey}" is not one of the labels ${JSON.stringify(labels)}`);
  }
  return { id: readId(record, ['id'], at), context: `Question: ${question}\nAnswer:`, choices: texts, gold };
}
