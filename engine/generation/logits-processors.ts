/**
 * The logits processors HF 4.45 `_get_logits_processor` builds for the options glance supports, in HF's order:
 * RepetitionPenalty, NoRepeatNGram, MinLength/MinNewTokensLength. Each works in place on one row of scores (float32,
 * length = vocabulary) given the tokens generated so far for that row. For BLIP-2 the language model is driven by
 * inputs_embeds only, so HF's `input_ids` hold exactly the generated tokens: that is what `generated` must be; an
 * encoder-decoder language model (T5) starts its ids with the decoder start token, passed as `prefix`.
 */
import type { GenerationOptions } from './generation-options.ts';

/**
 * RepetitionPenaltyLogitsProcessor: every distinct token already generated has its score divided by `penalty` when
 * >= 0 and multiplied by it when < 0 (HF gathers the original scores, so a repeated token is penalised once).
 */
export function applyRepetitionPenalty(scores: Float32Array, generated: readonly number[], penalty: number): void {
  if (generated.length === 0) return;
  const factor = Math.fround(penalty);
  const seen = new Set<number>();
  for (const token of generated) {
    if (seen.has(token) || token < 0 || token >= scores.length) continue;
    seen.add(token);
    const score = scores[token];
    scores[token] = score < 0 ? score * factor : score / factor;
  }
}

/**
 * NoRepeatNGramLogitsProcessor: bans every token that would complete an n-gram already present in `generated`
 * (the (n-1) last tokens are the prefix; with n = 1 every generated token is banned).
 */
export function applyNoRepeatNgram(scores: Float32Array, generated: readonly number[], ngramSize: number): void {
  const length = generated.length;
  if (length + 1 < ngramSize) return;
  const prefixStart = length + 1 - ngramSize;
  for (let start = 0; start + ngramSize <= length; start++) {
    let matches = true;
    for (let j = 0; j < ngramSize - 1; j++) {
      if (generated[start + j] !== generated[prefixStart + j]) {
        matches = false;
        break;
      }
    }
    if (matches) {
      const banned = generated[start + ngramSize - 1];
      if (banned >= 0 && banned < scores.length) scores[banned] = -Infinity;
    }
  }
}

/**
 * MinNewTokensLengthLogitsProcessor (and MinLengthLogitsProcessor, identical here because the prompt length of the
 * generated ids is 0): while fewer than `minNewTokens` tokens were generated, every EOS id gets -inf.
 */
export function suppressEosBeforeMinLength(
  scores: Float32Array,
  generatedCount: number,
  minNewTokens: number,
  eosTokenIds: readonly number[],
): void {
  if (generatedCount >= minNewTokens) return;
  for (const eos of eosTokenIds) if (eos >= 0 && eos < scores.length) scores[eos] = -Infinity;
}

/**
 * All processors enabled by `options`, in HF order, applied in place to one row. `prefix` are the decoder ids before
 * the generated ones (GenerateRequest.prefixTokens): part of the ids the penalties read, not of the new-token count.
 */
export function applyLogitsProcessors(scores: Float32Array, generated: readonly number[], options: GenerationOptions, prefix: readonly number[] = []): void {
  const ids = prefix.length > 0 && (options.repetitionPenalty !== 1 || options.noRepeatNgramSize > 0) ? [...prefix, ...generated] : generated;
  if (options.repetitionPenalty !== 1) applyRepetitionPenalty(scores, ids, options.repetitionPenalty);
  if (options.noRepeatNgramSize > 0) applyNoRepeatNgram(scores, ids, options.noRepeatNgramSize);
  if (options.minNewTokens > 0 && options.eosTokenIds.length > 0) {
    suppressEosBeforeMinLength(scores, generated.length, options.minNewTokens, options.eosTokenIds);
  }
}
