/**
 * The OPT language model's key/value cache for the start of every prompt about an image: its query embeddings and,
 * after them, the first prompt tokens that later prompts repeat (BOS, and e.g. `Question:`). Causal attention means
 * those positions never see the text after them, so a caller that keeps the cache lets a follow-up prompt prefill
 * only what differs. A kept prefix serves any prompt as far as their tokens agree (its query positions always).
 *
 * Buffers live in SharedArrayBuffers: passing a prefix between the service (main thread) and the engine worker
 * shares the memory instead of copying it. Treat them as read-only.
 */
import { GlanceError, ErrorCode } from '../errors.ts';
import type { KvCache } from './kv-cache.ts';

export interface LanguagePrefix {
  /** Positions covered: the model's numQueryTokens, then tokenIds.length prompt tokens. */
  length: number;
  /** The prompt token ids covered after the queries (BOS first for OPT); empty when only the queries are. */
  tokenIds: readonly number[];
  numHeads: number;
  headDim: number;
  /** Per layer: [length, numHeads, headDim] float32 (sequence-major, as the KV cache keeps it). */
  keys: Float32Array[];
  values: Float32Array[];
}

export function languagePrefixBytes(prefix: LanguagePrefix): number {
  let bytes = 0;
  for (let layer = 0; layer < prefix.keys.length; layer++) bytes += prefix.keys[layer].byteLength + prefix.values[layer].byteLength;
  return bytes;
}

/** How many leading ids two token sequences share. */
export function commonHead(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * The prompt tokens of `promptIds` a kept prefix can stand in for: those it covers that the prompt starts with, but
 * never the prompt's last token (its logits are what the prefill is for).
 */
export function usablePrefixTokens(prefix: LanguagePrefix, promptIds: readonly number[]): number {
  return Math.min(commonHead(prefix.tokenIds, promptIds), promptIds.length - 1);
}

/**
 * One row's prefix copied out of a cache (into SharedArrayBuffers) at the given position ranges, which together
 * hold the queries and then `tokenIds` in order.
 */
export function copyPrefixRow(cache: KvCache, row: number, ranges: readonly (readonly [number, number])[], tokenIds: readonly number[]): LanguagePrefix {
  const shared = (floats: number) => new Float32Array(new SharedArrayBuffer(floats * Float32Array.BYTES_PER_ELEMENT));
  const layers = Array.from({ length: cache.numLayers }, (_, layer) => layer);
  const length = ranges.reduce((sum, [start, end]) => sum + end - start, 0);
  return {
    length,
    tokenIds: [...tokenIds],
    numHeads: cache.numHeads,
    headDim: cache.headDim,
    keys: layers.map((layer) => cache.copyRowRanges(layer, row, 'keys', ranges, shared)),
    values: layers.map((layer) => cache.copyRowRanges(layer, row, 'values', ranges, shared)),
  };
}

/** Checks that a prefix was made by a model of this shape (a prefix from another model would silently mislead). */
export function checkPrefixShape(prefix: LanguagePrefix, numLayers: number, numHeads: number, numQueryTokens: number, headDim: number, row: number): void {
  const tokenIds = Array.isArray(prefix.tokenIds) ? prefix.tokenIds : undefined;
  const size = numHeads * prefix.length * headDim;
  const fits =
    tokenIds !== undefined &&
    tokenIds.every((id) => Number.isInteger(id) && id >= 0) &&
    prefix.length === numQueryTokens + tokenIds.length &&
    prefix.numHeads === numHeads &&
    prefix.headDim === headDim &&
    prefix.keys.length === numLayers &&
    prefix.values.length === numLayers &&
    prefix.keys.every((k) => k.length === size) &&
    prefix.values.every((v) => v.length === size);
  if (!fits) {
    throw new GlanceError(ErrorCode.InvalidInput, `item ${row}: the language prefix does not fit this model (${numLayers} layers × ${numHeads} heads × ${numQueryTokens} query positions and its token ids × ${headDim}); was it made by another model?`);
  }
}
