/**
 * The OPT language model's key/value cache for an image's query embeddings alone: the first numQueryTokens positions
 * of every prompt about that image. Causal attention means those positions never see the text after them, so the
 * cache is the same whatever is asked; a caller that keeps it lets a follow-up question prefill only its own text.
 *
 * Buffers live in SharedArrayBuffers: passing a prefix between the service (main thread) and the engine worker
 * shares the memory instead of copying it. Treat them as read-only.
 */
import { GlanceError, ErrorCode } from '../errors.ts';
import type { KvCache } from './kv-cache.ts';

export interface LanguagePrefix {
  /** Positions covered (the model's numQueryTokens). */
  length: number;
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

/** Each row's prefix out of a cache that holds exactly the prefix positions (copied into SharedArrayBuffers). */
export function splitPrefixRows(cache: KvCache): LanguagePrefix[] {
  const shared = (floats: number) => new Float32Array(new SharedArrayBuffer(floats * Float32Array.BYTES_PER_ELEMENT));
  const layers = Array.from({ length: cache.numLayers }, (_, layer) => layer);
  return Array.from({ length: cache.rows }, (_, r) => ({
    length: cache.length,
    numHeads: cache.numHeads,
    headDim: cache.headDim,
    keys: layers.map((layer) => cache.copyRow(layer, r, 'keys', shared)),
    values: layers.map((layer) => cache.copyRow(layer, r, 'values', shared)),
  }));
}

/** Checks that a prefix was made by a model of this shape (a prefix from another model would silently mislead). */
export function checkPrefixShape(prefix: LanguagePrefix, numLayers: number, numHeads: number, length: number, headDim: number, row: number): void {
  const size = numHeads * length * headDim;
  const fits =
    prefix.length === length &&
    prefix.numHeads === numHeads &&
    prefix.headDim === headDim &&
    prefix.keys.length === numLayers &&
    prefix.values.length === numLayers &&
    prefix.keys.every((k) => k.length === size) &&
    prefix.values.every((v) => v.length === size);
  if (!fits) {
    throw new GlanceError(ErrorCode.InvalidInput, `item ${row}: the language prefix does not fit this model (${numLayers} layers × ${numHeads} heads × ${length} positions × ${headDim}); was it made by another model?`);
  }
}
