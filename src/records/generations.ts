// generations.jsonl: one line per generated item × policy — the text, how generation stopped, time to
// first token and time per output token. results.jsonl keeps exactly its keys; summary.json reads TTFT and
// TPOT from here. Appended whole like results.jsonl. Opened by bench/run.ts (records built by bench/generate-item.ts), read by summary.ts.
import { z } from 'zod';
import { openRecordWriter, type RecordWriter } from './jsonl-append.js';
import { readJsonlTolerant } from './jsonl-read.js';

const milliseconds = z.number().finite().nonnegative();

export const generationSchema = z.strictObject({
  dataset: z.string(),
  id: z.string(),
  policy: z.string(),
  text: z.string(), // the decoded answer up to the first newline (EOS excluded), before stripping
  generated_tokens: z.number().int().nonnegative(),
  prompt_tokens: z.number().int().nonnegative(),
  stopped_by: z.enum(['stop-token', 'max-tokens']),
  ttft_ms: milliseconds, // prompt in → first token chosen (the prefill pass)
  tpot_ms: z.array(milliseconds), // each later token's decode step
});
export type GenerationRecord = z.infer<typeof generationSchema>;

export type GenerationsWriter = RecordWriter<GenerationRecord>;

// Opens generations.jsonl for appending whole lines.
export function openGenerationsWriter(file: string, options: { durable?: boolean } = {}): GenerationsWriter {
  return openRecordWriter(file, generationSchema, options);
}

// Every committed generations line (a torn last line is ignored).
export function readGenerations(file: string): GenerationRecord[] {
  return readJsonlTolerant(file, generationSchema).records;
}
