// Greedy decoding with a KV cache at the BS: prefill the prompt once, then one token per step, each
// step a full pass through the split model (one token per layer to the devices: where link latency
// dominates). Records time to first token and time per output token. Called by bench (--task generate).
import type { LatencyBreakdown } from './timing.js';
import { addTiming } from './timing.js';
import { forwardSequences, type ForwardResult, type ForwardSetup } from './forward.js';

export interface GenerateOptions {
  maxNewTokens: number;
  // True for a token that ends the answer (EOS, a newline); it is not part of the output.
  isStop: (tokenId: number) => boolean;
}

export interface GenerateResult {
  tokens: number[]; // generated ids, stop token excluded
  stoppedBy: 'stop-token' | 'max-tokens';
  stopToken: number | null; // the token that stopped generation (its text may hold part of the answer)
  ttftMs: number; // prompt in → first token chosen
  tpotMs: number[]; // per later token
  timing: LatencyBreakdown; // summed over prefill and every step
  steps: ForwardResult[]; // step 0 = prefill
  experts: { used: number; dropped: number };
}

// Index of the largest logit in row `position` of a [1, T, V] tensor.
function argmaxAt(logits: Float32Array, position: number, vocab: number): number {
  const base = position * vocab;
  let best = 0;
  for (let v = 1; v < vocab; v++) if (logits[base + v]! > logits[base + best]!) best = v;
  return best;
}

// Generates greedily after `prompt` until a stop token or maxNewTokens.
export async function generateGreedy(setup: ForwardSetup, prompt: readonly number[], options: GenerateOptions, signal?: AbortSignal): Promise<GenerateResult> {
  const vocab = setup.graphs.arch.vocabSize;
  const startMs = performance.now();
  let step = await forwardSequences(setup, [prompt], signal);
  const steps = [step];
  let timing = step.timing;
  let next = argmaxAt(step.logits, prompt.length - 1, vocab);
  const ttftMs = performance.now() - startMs;
  const tokens: number[] = [];
  const tpotMs: number[] = [];
  let stoppedBy: GenerateResult['stoppedBy'] = 'max-tokens';
  let stopToken: number | null = null;
  const limit = Math.min(options.maxNewTokens, setup.graphs.arch.maxPositionEmbeddings - prompt.length);
  while (tokens.length < limit) {
    if (options.isStop(next)) {
      stoppedBy = 'stop-token';
      stopToken = next;
      break;
    }
    tokens.push(next);
    if (tokens.length >= limit) break;
    const t0 = performance.now();
    step = await forwardSequences(setup, [[next]], signal, step.cache);
    steps.push(step);
    timing = addTiming(timing, step.timing);
    next = argmaxAt(step.logits, 0, vocab);
    tpotMs.push(performance.now() - t0);
  }
  const experts = steps.reduce((sum, s) => ({ used: sum.used + s.experts.used, dropped: sum.dropped + s.experts.dropped }), { used: 0, dropped: 0 });
  return { tokens, stoppedBy, stopToken, ttftMs, tpotMs, timing, steps, experts };
}
