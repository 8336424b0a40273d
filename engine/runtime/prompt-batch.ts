/**
 * Builds the language model's first input for a batch, as Blip2ForConditionalGeneration does (legacy path, identical
 * to the image-token path): per row [query embeddings ; left padding ; embeddings of (BOS + prompt)], attention mask
 * [1 × queries ; 0 × padding ; 1 × text], OPT positions cumsum(mask)·mask − 1.
 */
import type { LanguagePrefix } from './language-prefix.ts';

export interface PromptRow {
  queryEmbeds: Float32Array;
  promptIds: readonly number[];
  /** OPT: a kept key/value cache of queryEmbeds and the first prompt tokens (see language-prefix.ts). */
  prefix?: LanguagePrefix;
  /** OPT, prefix mode: how many of promptIds a newly made prefix of this row covers after the queries (default 0). */
  headLength?: number;
}

export interface PaddedText {
  /** [rows, maxLength] left-padded ids */
  ids: BigInt64Array;
  maxLength: number;
}

export function padTextLeft(rows: readonly PromptRow[], padTokenId: number): PaddedText {
  const maxLength = Math.max(...rows.map((r) => r.promptIds.length));
  const ids = new BigInt64Array(rows.length * maxLength).fill(BigInt(padTokenId));
  rows.forEach((row, r) => {
    const start = r * maxLength + (maxLength - row.promptIds.length);
    row.promptIds.forEach((id, i) => (ids[start + i] = BigInt(id)));
  });
  return { ids, maxLength };
}

export interface PrefillInputs {
  embeds: Float32Array;
  mask: BigInt64Array;
  positions: BigInt64Array;
  sequence: number;
}

/**
 * The attention mask and positions of [queries ; left padding ; text] for each row ([rows, numQueries + maxLength]):
 * mask 1 × queries, 0 × padding, 1 × text; OPT positions cumsum(mask)·mask − 1 (−1 on padding).
 */
function promptMaskAndPositions(rows: readonly PromptRow[], maxLength: number, numQueries: number): { mask: BigInt64Array; positions: BigInt64Array; sequence: number } {
  const sequence = numQueries + maxLength;
  const mask = new BigInt64Array(rows.length * sequence);
  const positions = new BigInt64Array(rows.length * sequence);
  rows.forEach((row, r) => {
    const padding = maxLength - row.promptIds.length;
    let count = 0;
    for (let i = 0; i < sequence; i++) {
      const real = i < numQueries || i >= numQueries + padding;
      mask[r * sequence + i] = real ? 1n : 0n;
      if (real) count++;
      positions[r * sequence + i] = real ? BigInt(count - 1) : -1n;
    }
  });
  return { mask, positions, sequence };
}

/** Combines query embeddings and text embeddings ([rows, maxLength, hidden]) into the prefill inputs. */
export function buildPrefill(rows: readonly PromptRow[], textEmbeds: Float32Array, maxLength: number, numQueries: number, hidden: number): PrefillInputs {
  const { mask, positions, sequence } = promptMaskAndPositions(rows, maxLength, numQueries);
  const embeds = new Float32Array(rows.length * sequence * hidden);
  rows.forEach((row, r) => {
    embeds.set(row.queryEmbeds.subarray(0, numQueries * hidden), r * sequence * hidden);
    embeds.set(textEmbeds.subarray(r * maxLength * hidden, (r + 1) * maxLength * hidden), (r * sequence + numQueries) * hidden);
  });
  return { embeds, mask, positions, sequence };
}

/**
 * The text prefill after `lead` positions already in the cache (kept image prefixes: the queries and the prompt
 * tokens they cover; `rows` hold the rest of each prompt): the attention mask over [lead ; left padding ; text], as
 * buildPrefill's with the lead in place of the queries, and the positions of the text part only.
 */
export function buildTextAfterPrefix(rows: readonly PromptRow[], maxLength: number, lead: number): { mask: BigInt64Array; positions: BigInt64Array } {
  const { mask, positions: all, sequence } = promptMaskAndPositions(rows, maxLength, lead);
  const positions = new BigInt64Array(rows.length * maxLength);
  rows.forEach((_, r) => positions.set(all.subarray(r * sequence + lead, (r + 1) * sequence), r * maxLength));
  return { mask, positions };
}
