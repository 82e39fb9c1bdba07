// One generation item under one policy: greedy decode with the KV cache through the split model,
// exact match of the stripped answer (lm-eval generate_until + exact_match on stripped strings).
// Returns the record lines; bench/run.ts appends them.
import { generateGreedy, type ForwardSetup } from '../bs/index.js';
import type { GenItem } from '../datasets/index.js';
import type { TextTokenizer } from './tokenizer.js';
import type { DeviceEventRecord, GenerationRecord, LayerRecord, ResultRecord } from '../records/index.js';
import { toDeviceEventLines, toLayerLines, toResultRecord } from './record-item.js';
import type { ItemKey } from './score-item.js';

export interface GenerateContext {
  setup: ForwardSetup;
  tokenizer: TextTokenizer;
  bosTokenId: number | null;
  prefixTokenId: number;
  isStop: (tokenId: number) => boolean;
  maxNewTokens: number;
  maxPositions: number; // the model's position table
  deviceNames: readonly string[]; // testbed order, for the per-layer link states
  signal?: AbortSignal;
}

// The ids of tokens that end an answer: EOS and every token whose text holds a newline.
export function stopTokens(tokenizer: TextTokenizer, eosTokenId: number | null): Set<number> {
  const stops = new Set<number>();
  if (eosTokenId !== null) stops.add(eosTokenId);
  for (let id = 0; id < tokenizer.vocabSize; id++) if (tokenizer.decode([id]).includes('\n')) stops.add(id);
  return stops;
}

// Generates an answer for `item` and scores it by exact match.
export async function generateItem(key: ItemKey, item: GenItem, context: GenerateContext): Promise<{ generation: GenerationRecord; layers: LayerRecord[]; deviceEvents: DeviceEventRecord[]; result: ResultRecord }> {
  let prompt = context.tokenizer.encode(item.context);
  if (context.bosTokenId !== null) prompt = [context.bosTokenId, ...prompt];
  else if (prompt.length === 0) prompt = [context.prefixTokenId];
  // lm-eval generate_until: the context keeps its last (max_length − max_gen_toks) tokens.
  const room = context.maxPositions - context.maxNewTokens;
  if (prompt.length > room) prompt = prompt.slice(-Math.max(1, room));
  const generated = await generateGreedy(context.setup, prompt, { maxNewTokens: context.maxNewTokens, isStop: context.isStop }, context.signal);
  // The stop token's text before its newline belongs to the answer (lm-eval cuts the text at `until`).
  const withStop = generated.stopToken === null ? generated.tokens : [...generated.tokens, generated.stopToken];
  const text = context.tokenizer.decode(withStop, { skipSpecialTokens: true }).split('\n')[0]!;
  const prediction = text.trim();
  return {
    generation: {
      ...key,
      text,
      generated_tokens: generated.tokens.length,
      prompt_tokens: prompt.length,
      stopped_by: generated.stoppedBy,
      ttft_ms: Math.round(generated.ttftMs * 1000) / 1000,
      tpot_ms: generated.tpotMs.map((ms) => Math.round(ms * 1000) / 1000),
    },
    layers: generated.steps.flatMap((step, index) => toLayerLines(key, index, step, context.deviceNames)),
    deviceEvents: generated.steps.flatMap((step, index) => toDeviceEventLines(key, index, step)),
    result: toResultRecord(key, prediction, item.answer.trim(), prompt.length + generated.tokens.length, { timing: generated.timing, experts: generated.experts }),
  };
}
