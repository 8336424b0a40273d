/**
 * Builds the language model's first input for a batch, as Blip2ForConditionalGeneration does (legacy path, identical
 * to the image-token path): per row [query embeddings ; left padding ; embeddings of (BOS + prompt)], attention mask
 * [1 × queries ; 0 × padding ; 1 × text], OPT positions cumsum(mask)·mask − 1.
 */
import type { LanguagePrefix } from './language-prefix.ts';

export interface PromptRow {
  queryEmbeds: Float32Array;
  promptIds: readonly number[];
  /** OPT: the kept key/value cache of queryEmbeds alone (see language-prefix.ts). */
  prefix?: LanguagePrefix;
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

/** Combines query embeddings and text embeddings ([rows, maxLength, hidden]) into the prefill inputs. */
export function buildPrefill(rows: readonly PromptRow[], textEmbeds: Float32Array, maxLength: number, numQueries: number, hidden: number): PrefillInputs {
  const sequence = numQueries + maxLength;
  const embeds = new Float32Array(rows.length * sequence * hidden);
  const mask = new BigInt64Array(rows.length * sequence);
  const positions = new BigInt64Array(rows.length * sequence);
  rows.forEach((row, r) => {
    embeds.set(row.queryEmbeds.subarray(0, numQueries * hidden), r * sequence * hidden);
    embeds.set(textEmbeds.subarray(r * maxLength * hidden, (r + 1) * maxLength * hidden), (r * sequence + numQueries) * hidden);
    const padding = maxLength - row.promptIds.length;
    let count = 0;
    for (let i = 0; i < sequence; i++) {
      const real = i < numQueries || i >= numQueries + padding;
      mask[r * sequence + i] = real ? 1n : 0n;
      if (real) count++;
      positions[r * sequence + i] = real ? BigInt(count - 1) : -1n;
    }
  });
  return { embeds, mask, positions, sequence };
}

/**
 * The text prefill after kept image prefixes: the attention mask covers [queries ; left padding ; text] as in
 * buildPrefill, positions only the text part (numQueries + index among the row's real tokens).
 */
export function buildTextAfterPrefix(rows: readonly PromptRow[], maxLength: number, numQueries: number): { mask: BigInt64Array; positions: BigInt64Array } {
  const total = numQueries + maxLength;
  const mask = new BigInt64Array(rows.length * total);
  const positions = new BigInt64Array(rows.length * maxLength);
  rows.forEach((row, r) => {
    const padding = maxLength - row.promptIds.length;
    for (let i = 0; i < total; i++) mask[r * total + i] = i < numQueries || i >= numQueries + padding ? 1n : 0n;
    for (let j = 0; j < maxLength; j++) positions[r * maxLength + j] = j >= padding ? BigInt(numQueries + j - padding) : -1n;
  });
  return { mask, positions };
}
