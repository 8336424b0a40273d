/**
 * The OPT language model's key/value cache for an image's query embeddings alone: the first numQueryTokens positions
 * of every prompt about that image. Causal attention means those positions never see the text after them, so the
 * cache is the same whatever is asked; a caller that keeps it lets a follow-up question prefill only its own text.
 *
 * Buffers live in SharedArrayBuffers: passing a prefix between the service (main thread) and the engine worker
 * shares the memory instead of copying it. Treat them as read-only.
 */
import { GlanceError, ErrorCode } from '../errors.ts';

export interface LanguagePrefix {
  /** Positions covered (the model's numQueryTokens). */
  length: number;
  numHeads: number;
  headDim: number;
  /** Per layer: [numHeads, length, headDim] float32. */
  keys: Float32Array[];
  values: Float32Array[];
}

export function languagePrefixBytes(prefix: LanguagePrefix): number {
  let bytes = 0;
  for (let layer = 0; layer < prefix.keys.length; layer++) bytes += prefix.keys[layer].byteLength + prefix.values[layer].byteLength;
  return bytes;
}

function sharedCopy(source: Float32Array): Float32Array {
  const copy = new Float32Array(new SharedArrayBuffer(source.byteLength));
  copy.set(source);
  return copy;
}

/** Splits [rows, heads, length, headDim] present tensors (one key and one value per layer) into per-row prefixes. */
export function splitPrefixRows(keys: readonly Float32Array[], values: readonly Float32Array[], rows: number, numHeads: number, length: number, headDim: number): LanguagePrefix[] {
  const rowSize = numHeads * length * headDim;
  return Array.from({ length: rows }, (_, r) => ({
    length,
    numHeads,
    headDim,
    keys: keys.map((layer) => sharedCopy(layer.subarray(r * rowSize, (r + 1) * rowSize))),
    values: values.map((layer) => sharedCopy(layer.subarray(r * rowSize, (r + 1) * rowSize))),
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

/** One layer's keys (or values) of several rows' prefixes, stacked into [rows, heads, length, headDim]. */
export function stackPrefixLayer(parts: readonly Float32Array[]): Float32Array {
  const size = parts[0].length;
  const out = new Float32Array(parts.length * size);
  parts.forEach((part, r) => out.set(part, r * size));
  return out;
}
