/**
 * The decoder's key/value cache on the host: one [rows, heads, length, headDim] float32 buffer per layer for keys
 * and for values, plus each row's attention mask. onnxruntime-node has no IO binding, so the present tensors a step
 * returns become the next step's past tensors as they are (no copy); only beam reordering copies rows.
 */
import { OPT_GRAPHS } from '../bundle/tensor-names.ts';
import type { TensorData } from './onnx-runtime.ts';

export class KvCache {
  readonly numLayers: number;
  readonly numHeads: number;
  readonly headDim: number;
  rows: number;
  length = 0;
  #keys: Float32Array[];
  #values: Float32Array[];

  constructor(numLayers: number, numHeads: number, headDim: number, rows: number) {
    this.numLayers = numLayers;
    this.numHeads = numHeads;
    this.headDim = headDim;
    this.rows = rows;
    this.#keys = Array.from({ length: numLayers }, () => new Float32Array(0));
    this.#values = Array.from({ length: numLayers }, () => new Float32Array(0));
  }

  /** The past_key_values.* feeds for the next run. */
  feeds(): Record<string, TensorData> {
    const dims = [this.rows, this.numHeads, this.length, this.headDim];
    const feeds: Record<string, TensorData> = {};
    for (let layer = 0; layer < this.numLayers; layer++) {
      feeds[OPT_GRAPHS.pastKey(layer)] = { dtype: 'float32', dims, data: this.#keys[layer] };
      feeds[OPT_GRAPHS.pastValue(layer)] = { dtype: 'float32', dims, data: this.#values[layer] };
    }
    return feeds;
  }

  /** Starts the cache from given per-layer [rows, heads, length, headDim] buffers (a kept image prefix). */
  seed(keys: Float32Array[], values: Float32Array[], length: number): void {
    this.#keys = keys;
    this.#values = values;
    this.length = length;
  }

  /** The current per-layer buffers (read-only). */
  layers(): { keys: readonly Float32Array[]; values: readonly Float32Array[] } {
    return { keys: this.#keys, values: this.#values };
  }

  /** Takes the present.* outputs of a run as the new cache. */
  update(outputs: Record<string, TensorData>): void {
    for (let layer = 0; layer < this.numLayers; layer++) {
      const key = outputs[OPT_GRAPHS.presentKey(layer)];
      const value = outputs[OPT_GRAPHS.presentValue(layer)];
      this.#keys[layer] = key.data as Float32Array;
      this.#values[layer] = value.data as Float32Array;
      if (layer === 0) this.length = key.dims[2];
    }
  }

  /** New row i = old row source[i] (beam expansion, beam reordering, dropping finished rows). */
  reorder(source: Int32Array): void {
    const rowSize = this.numHeads * this.length * this.headDim;
    const gather = (buffer: Float32Array): Float32Array => {
      const out = new Float32Array(source.length * rowSize);
      for (let i = 0; i < source.length; i++) out.set(buffer.subarray(source[i] * rowSize, (source[i] + 1) * rowSize), i * rowSize);
      return out;
    };
    this.#keys = this.#keys.map(gather);
    this.#values = this.#values.map(gather);
    this.rows = source.length;
  }
}
