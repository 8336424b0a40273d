/**
 * Token choice from a processed row of scores: argmax for greedy decoding (the first maximum, like torch.argmax) and a
 * draw from softmax(scores) with an injected random source for sampling.
 */
import type { RandomSource } from './random.ts';
import { softmaxInto } from './softmax.ts';

/** Index of the first maximum; NaN counts as the maximum, like torch.argmax. */
export function argmax(scores: Float32Array): number {
  let best = 0;
  let bestValue = scores[0];
  if (Number.isNaN(bestValue)) return 0;
  for (let i = 1; i < scores.length; i++) {
    const v = scores[i];
    if (Number.isNaN(v)) return i;
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

/** Draws one token from softmax(scores) with inverse-CDF sampling; `probabilities` is scratch of the same length. */
export function sampleToken(scores: Float32Array, random: RandomSource, probabilities = new Float64Array(scores.length)): number {
  softmaxInto(scores, probabilities);
  const u = random.nextFloat();
  let cumulative = 0;
  let lastPossible = -1;
  for (let i = 0; i < scores.length; i++) {
    const p = probabilities[i];
    if (p > 0) {
      cumulative += p;
      lastPossible = i;
      if (u < cumulative) return i;
    }
  }
  // Rounding left the total slightly under 1 and u fell in the gap: take the last token with non-zero probability.
  return lastPossible >= 0 ? lastPossible : argmax(scores);
}
