// The model bundle's tokenizer: loads a Hugging Face `tokenizer.json` offline with @huggingface/tokenizers
// (the one module that imports it) and exposes plain encode/decode on token ids.
// Called by bench (scoring, generation) and by whoever prints decoded text; never by the agent.
// `encode` adds no special tokens: BOS/prefix handling is the scorer's decision (bench/score.ts), as in lm-eval.

import { readFile } from 'node:fs/promises';
import { Tokenizer } from '@huggingface/tokenizers';
import { WdmoeError, EXIT_BAD_INPUT } from '../core/index.js';

// Text ↔ token ids for one tokenizer.json.
export interface TextTokenizer {
  readonly path: string;
  readonly vocabSize: number;
  encode(text: string): number[];
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  tokenToId(token: string): number | undefined;
}

// Raised when tokenizer.json is missing, not JSON, or not a tokenizer the library can build.
export class TokenizerLoadError extends WdmoeError {
  readonly file: string;
  constructor(file: string, reason: string, cause?: unknown) {
    super('tokenizer-load', `tokenizer ${file}: ${reason}`, {
      hint: 'the bundle needs a Hugging Face tokenizer.json; re-export the model bundle with scripts/',
      exitCode: EXIT_BAD_INPUT,
      cause,
    });
    this.file = file;
  }
}

// Builds a tokenizer from already-parsed tokenizer.json (and optional tokenizer_config.json) objects.
export function decodeTokenizerJson(path: string, tokenizerJson: unknown, config: object = {}): TextTokenizer {
  if (typeof tokenizerJson !== 'object' || tokenizerJson === null || !('model' in tokenizerJson)) {
    throw new TokenizerLoadError(path, 'not a tokenizer.json (no "model" key)');
  }
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(tokenizerJson, config);
  } catch (error) {
    throw new TokenizerLoadError(path, `cannot build tokenizer: ${(error as Error).message}`, error);
  }
  const vocabSize = tokenizer.get_vocab(true).size;
  return {
    path,
    vocabSize,
    encode: (text) => tokenizer.encode(text, { add_special_tokens: false }).ids,
    // The library refuses an empty id list; the empty sequence decodes to the empty string.
    decode: (ids, options = {}) =>
      ids.length === 0
        ? ''
        : tokenizer.decode([...ids], {
            skip_special_tokens: options.skipSpecialTokens ?? false,
            clean_up_tokenization_spaces: false,
          }),
    tokenToId: (token) => tokenizer.token_to_id(token),
  };
}

// Reads and builds the tokenizer at `path` (no network: the file must be on disk).
export async function loadTokenizer(path: string): Promise<TextTokenizer> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TokenizerLoadError(path, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new TokenizerLoadError(path, `not valid JSON: ${(error as Error).message}`, error);
  }
  return decodeTokenizerJson(path, parsed);
}
