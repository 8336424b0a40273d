/**
 * The decoder's self-attention key/value cache on the host, sequence-major: per layer one float32 buffer for keys
 * and one for values, laid out [positions, rows, heads, headDim] with room to grow at the end.
 *
 * The decoder graph reads the filled part as its past (a view of the buffer, not a copy) and outputs only the keys
 * and values of the positions it just ran, which are appended here in place. onnxruntime-node has no IO binding:
 * a graph that returned the whole present cache would hand back fresh copies of every layer at every step,
 * megabytes of garbage per token for the engine thread to collect. Appending leaves only the new positions.
 * Beam reordering gathers rows into a second set of buffers kept for the purpose, so it allocates nothing
 * once both sets have grown.
 */
import { OPT_GRAPHS } from '../bundle/tensor-names.ts';
import type { TensorData } from './onnx-runtime.ts';

/** Positions of room added at least when the cache grows (fewer reallocations over a generation). */
const MIN_GROWTH = 32;

export class KvCache {
  readonly numLayers: number;
  readonly numHeads: number;
  readonly headDim: number;
  rows: number;
  /** Positions filled. */
  length = 0;
  /** Positions the buffers hold. */
  #capacity = 0;
  #keys: Float32Array[];
  #values: Float32Array[];
  /** The reorder target, swapped with the live buffers after each reorder. */
  #spareKeys: Float32Array[] = [];
  #spareValues: Float32Array[] = [];

  constructor(numLayers: number, numHeads: number, headDim: number, rows: number) {
    this.numLayers = numLayers;
    this.numHeads = numHeads;
    this.headDim = headDim;
    this.rows = rows;
    this.#keys = Array.from({ length: numLayers }, () => new Float32Array(0));
    this.#values = Array.from({ length: numLayers }, () => new Float32Array(0));
  }

  /** Floats of one row at one position. */
  get rowWidth(): number {
    return this.numHeads * this.headDim;
  }

  /** Floats of one position (all rows). */
  get #positionWidth(): number {
    return this.rows * this.rowWidth;
  }

  /** The past_key_values.* feeds for the next run: views [length, rows, heads, headDim] of the filled part. */
  feeds(): Record<string, TensorData> {
    const dims = [this.length, this.rows, this.numHeads, this.headDim];
    const filled = this.length * this.#positionWidth;
    const feeds: Record<string, TensorData> = {};
    for (let layer = 0; layer < this.numLayers; layer++) {
      feeds[OPT_GRAPHS.pastKey(layer)] = { dtype: 'float32', dims, data: this.#keys[layer].subarray(0, filled) };
      feeds[OPT_GRAPHS.pastValue(layer)] = { dtype: 'float32', dims, data: this.#values[layer].subarray(0, filled) };
    }
    return feeds;
  }

  /** Appends a run's new_key_values.* outputs ([positions, rows, heads, headDim] each) after the filled part. */
  append(outputs: Record<string, TensorData>): void {
    const added = outputs[OPT_GRAPHS.newKey(0)].dims[0];
    this.#reserve(this.length + added);
    const at = this.length * this.#positionWidth;
    for (let layer = 0; layer < this.numLayers; layer++) {
      this.#keys[layer].set(outputs[OPT_GRAPHS.newKey(layer)].data as Float32Array, at);
      this.#values[layer].set(outputs[OPT_GRAPHS.newValue(layer)].data as Float32Array, at);
    }
    this.length += added;
  }

  /**
   * Starts the cache from per-row prefixes: `keys[row][layer]` and `values[row][layer]` are [length, heads, headDim]
   * (a kept image prefix per row, language-prefix.ts). Row r of the cache is row r of the arguments.
   */
  seedRows(keys: readonly (readonly Float32Array[])[], values: readonly (readonly Float32Array[])[], length: number): void {
    this.rows = keys.length;
    this.length = 0;
    this.#reserve(length);
    const width = this.rowWidth;
    const positionWidth = this.#positionWidth;
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let r = 0; r < this.rows; r++) {
        const rowKeys = keys[r][layer];
        const rowValues = values[r][layer];
        for (let p = 0; p < length; p++) {
          this.#keys[layer].set(rowKeys.subarray(p * width, (p + 1) * width), p * positionWidth + r * width);
          this.#values[layer].set(rowValues.subarray(p * width, (p + 1) * width), p * positionWidth + r * width);
        }
      }
    }
    this.length = length;
  }

  /**
   * Row `row`'s keys or values of one layer at the given position ranges ([start, end) each, in order), packed
   * [positions, heads, headDim] into `make(floats)`'s array.
   */
  copyRowRanges(layer: number, row: number, kind: 'keys' | 'values', ranges: readonly (readonly [number, number])[], make: (floats: number) => Float32Array): Float32Array {
    const source = kind === 'keys' ? this.#keys[layer] : this.#values[layer];
    const width = this.rowWidth;
    const positionWidth = this.#positionWidth;
    const count = ranges.reduce((sum, [start, end]) => sum + end - start, 0);
    const out = make(count * width);
    let at = 0;
    for (const [start, end] of ranges) {
      if (start < 0 || end > this.length || end < start) throw new RangeError(`positions [${start}, ${end}) are outside the ${this.length} filled`);
      for (let p = start; p < end; p++, at++) out.set(source.subarray(p * positionWidth + row * width, p * positionWidth + (row + 1) * width), at * width);
    }
    return out;
  }

  /** New row i = old row source[i] (beam expansion, beam reordering, dropping finished rows). */
  reorder(source: Int32Array): void {
    const width = this.rowWidth;
    const oldPositionWidth = this.#positionWidth;
    const newPositionWidth = source.length * width;
    const floats = this.#capacity * newPositionWidth;
    const gather = (from: Float32Array, spare: Float32Array | undefined): Float32Array => {
      const to = spare !== undefined && spare.length === floats ? spare : new Float32Array(floats);
      for (let p = 0; p < this.length; p++) {
        for (let i = 0; i < source.length; i++) {
          const start = p * oldPositionWidth + source[i] * width;
          to.set(from.subarray(start, start + width), p * newPositionWidth + i * width);
        }
      }
      return to;
    };
    const keys = this.#keys.map((buffer, layer) => gather(buffer, this.#spareKeys[layer]));
    const values = this.#values.map((buffer, layer) => gather(buffer, this.#spareValues[layer]));
    [this.#spareKeys, this.#spareValues] = [this.#keys, this.#values];
    [this.#keys, this.#values] = [keys, values];
    this.rows = source.length;
  }

  /** Grows every buffer to hold at least `positions` positions, keeping the filled part. */
  #reserve(positions: number): void {
    if (positions <= this.#capacity && this.#keys[0].length === this.#capacity * this.#positionWidth) return;
    const capacity = Math.max(positions, this.#capacity + Math.max(MIN_GROWTH, this.#capacity));
    const filled = this.length * this.#positionWidth;
    const grow = (buffer: Float32Array): Float32Array => {
      const grown = new Float32Array(capacity * this.#positionWidth);
      grown.set(buffer.subarray(0, filled));
      return grown;
    };
    this.#keys = this.#keys.map(grow);
    this.#values = this.#values.map(grow);
    this.#spareKeys = [];
    this.#spareValues = [];
    this.#capacity = capacity;
  }
}
