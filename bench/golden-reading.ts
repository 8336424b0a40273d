/**
 * Reading the generate() goldens of ../shared/fixtures: which prompt a setting used, the engine options for its
 * transformers kwargs, and its new tokens. Shared by the parity tests and the formats report.
 */
const KWARG_NAMES: Record<string, string> = {
  max_new_tokens: 'maxNewTokens',
  min_new_tokens: 'minNewTokens',
  num_beams: 'numBeams',
  repetition_penalty: 'repetitionPenalty',
  no_repeat_ngram_size: 'noRepeatNgramSize',
  eos_token_id: 'eosTokenId',
  length_penalty: 'lengthPenalty',
  early_stopping: 'earlyStopping',
};

/** The prompt text of a generate setting (its `prompt` key, or the vqa_* prefix of its name; none for captions). */
export function promptOf(setting: string, entry: { prompt?: string }, prompts: Record<string, { text: string }>): string {
  const key = entry.prompt ?? (setting.startsWith('vqa_what') ? 'vqa_what' : setting.startsWith('vqa_color') ? 'vqa_color' : undefined);
  return key ? prompts[key].text : '';
}

/**
 * The engine options for a golden's transformers kwargs. Without max_new_tokens, Blip2's generate sets
 * max_length = 20 + 32 − 1, of which the 32 queries and the prompt are used up: 19 − prompt length new tokens
 * (an encoder-decoder's max_length counts decoder tokens only: pass a prompt length of 0).
 */
export function generationOptionsOf(kwargs: Record<string, unknown>, promptLength: number): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(kwargs)) {
    const name = KWARG_NAMES[key];
    if (!name) throw new Error(`golden kwarg ${key} has no engine option`);
    options[name] = value;
  }
  if (options['maxNewTokens'] === undefined) options['maxNewTokens'] = 19 - promptLength;
  return options;
}

/** A golden sequence's new tokens (after the BOS / decoder start), without trailing padding. */
export function goldenNewTokens(sequence: readonly number[], padTokenId: number): number[] {
  const tokens = sequence.slice(1);
  while (tokens.length > 0 && tokens[tokens.length - 1] === padTokenId) tokens.pop();
  return tokens;
}

export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}
