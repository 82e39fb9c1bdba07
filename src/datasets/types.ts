// The shapes every dataset reader returns, whatever file format it read.
// Used by bench (scoring and generation) and by the readers in this folder; imports nothing.

// One multiple-choice item: the model scores `" " + choice` after `context` (lm-eval target_delimiter).
export interface McItem {
  readonly id: string;
  readonly context: string;
  readonly choices: readonly string[];
  readonly gold: number;
}

// One generation item: the model generates after `context`; exact match against `answer`.
export interface GenItem {
  readonly id: string;
  readonly context: string;
  readonly answer: string;
}

// File formats for multiple-choice sets; `jsonl` is the bundled lm-eval-style {id, context, choices, gold}.
export type McFormat = 'jsonl' | 'arc' | 'piqa' | 'hellaswag' | 'boolq' | 'mmlu';
// Every format a reader knows; `gen` is the bundled generation format {id, context, answer}.
export type DatasetFormat = McFormat | 'gen';
export const MC_FORMATS: readonly McFormat[] = ['jsonl', 'arc', 'piqa', 'hellaswag', 'boolq', 'mmlu'];
export const DATASET_FORMATS: readonly DatasetFormat[] = [...MC_FORMATS, 'gen'];

// Where a record came from, for error messages (`file:line`).
export interface RecordLocation {
  readonly file: string;
  readonly line: number;
}

// A dataset read from disk, with the name results are recorded under.
export interface LoadedDataset<Item> {
  readonly name: string;
  readonly path: string;
  readonly format: DatasetFormat;
  readonly items: readonly Item[];
}
