/**
 * What `/caption length:` maps to in the engine's generation options.
 * - `short` (the default): no options, i.e. the service's default caption: greedy search, at most 30 new tokens
 *   (the same caption `glance caption` and the HTTP API give without options).
 * - `detailed`: greedy search with at least 20 and at most 80 new tokens, repetition penalty 1.3 and no repeated
 *   3-grams (longer text without the loops greedy search falls into).
 * Automatic alt text, "Describe image" and answers use `short`.
 */
export type CaptionLength = 'short' | 'detailed';

export const CAPTION_PRESETS: Record<CaptionLength, Record<string, unknown>> = {
  short: {},
  detailed: { minNewTokens: 20, maxNewTokens: 80, repetitionPenalty: 1.3, noRepeatNgramSize: 3 },
};
