/**
 * The sampling warpers HF 4.45 appends after the processors when do_sample is on, in its order: Temperature, TopK,
 * TopP (min_tokens_to_keep = 1, the value for num_beams = 1). Each works in place on one row of float32 scores.
 */
import type { GenerationOptions } from './generation-options.ts';
import { kthLargest } from './top-k.ts';

/** TemperatureLogitsWarper: scores / temperature. */
export function applyTemperature(scores: Float32Array, temperature: number): void {
  const t = Math.fround(temperature);
  for (let i = 0; i < scores.length; i++) scores[i] = scores[i] / t;
}

/** TopKLogitsWarper: scores strictly below the k-th largest become -inf (ties with the k-th value all survive). */
export function applyTopK(scores: Float32Array, topK: number, minTokensToKeep = 1): void {
  const k = Math.min(Math.max(topK, minTokensToKeep), scores.length);
  const threshold = kthLargest(scores, k);
  for (let i = 0; i < scores.length; i++) if (scores[i] < threshold) scores[i] = -Infinity;
}

/**
 * TopPLogitsWarper: sort ascending, take the softmax's cumulative sum, and drop the tokens whose cumulative
 * probability is <= 1 - top_p, always keeping the `minTokensToKeep` most likely. Ties sort by index (stable sort).
 * Tokens already at -inf have probability 0 and are left as they are, so only finite scores are sorted.
 */
export function applyTopP(scores: Float32Array, topP: number, minTokensToKeep = 1): void {
  const candidates: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] !== -Infinity) candidates.push(i);
  if (candidates.length === 0) return;
  candidates.sort((a, b) => scores[a] - scores[b] || a - b);
  const max = scores[candidates[candidates.length - 1]];
  let sum = 0;
  for (const i of candidates) sum += Math.exp(scores[i] - max);
  const threshold = Math.fround(1 - topP);
  const removable = candidates.length - minTokensToKeep;
  let cumulative = 0;
  for (let rank = 0; rank < removable; rank++) {
    const i = candidates[rank];
    cumulative = Math.fround(cumulative + Math.fround(Math.exp(scores[i] - max) / sum));
    if (cumulative > threshold) break; // cumulative sums only grow
    scores[i] = -Infinity;
  }
}

/** The warpers enabled by `options` (only when sampling), in HF order, applied in place to one row. */
export function applySamplingWarpers(scores: Float32Array, options: GenerationOptions): void {
  if (options.temperature !== 1) applyTemperature(scores, options.temperature);
  if (options.topK !== 0) applyTopK(scores, options.topK);
  if (options.topP < 1) applyTopP(scores, options.topP);
}
