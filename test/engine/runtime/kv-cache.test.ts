/**
 * The host KV cache: sequence-major [positions, rows, heads, headDim] buffers that the graph's new positions are
 * appended to. Checked against a plain model of the cache (an array of per-position, per-row vectors).
 */
import { describe, expect, it } from 'vitest';
import { OPT_GRAPHS } from '../../../engine/bundle/tensor-names.ts';
import { KvCache } from '../../../engine/runtime/kv-cache.ts';
import type { TensorData } from '../../../engine/runtime/onnx-runtime.ts';

const LAYERS = 2;
const HEADS = 2;
const HEAD_DIM = 3;
const WIDTH = HEADS * HEAD_DIM;

/** What a run returns for `positions` new positions of `rows` rows: distinct values that name layer, kind, position and row. */
function runOutputs(rows: number, from: number, positions: number): Record<string, TensorData> {
  const outputs: Record<string, TensorData> = {};
  for (let layer = 0; layer < LAYERS; layer++) {
    for (const kind of ['key', 'value'] as const) {
      const data = new Float32Array(positions * rows * WIDTH);
      for (let p = 0; p < positions; p++) for (let r = 0; r < rows; r++) for (let i = 0; i < WIDTH; i++) data[(p * rows + r) * WIDTH + i] = value(layer, kind, from + p, r, i);
      outputs[kind === 'key' ? OPT_GRAPHS.newKey(layer) : OPT_GRAPHS.newValue(layer)] = { dtype: 'float32', dims: [positions, rows, HEADS, HEAD_DIM], data };
    }
  }
  return outputs;
}

function value(layer: number, kind: 'key' | 'value', position: number, row: number, i: number): number {
  return layer * 1e6 + (kind === 'key' ? 0 : 5e5) + position * 1e3 + row * 10 + i;
}

/** The past feeds, read back as [layer][kind][position][row] → vector. */
function pastOf(cache: KvCache): { dims: readonly number[]; vector: (layer: number, kind: 'key' | 'value', position: number, row: number) => number[] } {
  const feeds = cache.feeds();
  return {
    dims: feeds[OPT_GRAPHS.pastKey(0)].dims,
    vector: (layer, kind, position, row) => {
      const data = feeds[kind === 'key' ? OPT_GRAPHS.pastKey(layer) : OPT_GRAPHS.pastValue(layer)].data as Float32Array;
      const start = (position * cache.rows + row) * WIDTH;
      return Array.from(data.subarray(start, start + WIDTH));
    },
  };
}

const expected = (layer: number, kind: 'key' | 'value', position: number, row: number) => Array.from({ length: WIDTH }, (_, i) => value(layer, kind, position, row, i));

describe('KvCache', () => {
  it('starts empty: zero-length past feeds for the prefill', () => {
    const cache = new KvCache(LAYERS, HEADS, HEAD_DIM, 3);
    const feeds = cache.feeds();
    expect(Object.keys(feeds)).toHaveLength(2 * LAYERS);
    expect(feeds[OPT_GRAPHS.pastValue(1)].dims).toEqual([0, 3, HEADS, HEAD_DIM]);
    expect(feeds[OPT_GRAPHS.pastValue(1)].data).toHaveLength(0);
  });

  it('appends prefill and step outputs in order, growing past its first capacity', () => {
    const rows = 2;
    const cache = new KvCache(LAYERS, HEADS, HEAD_DIM, rows);
    cache.append(runOutputs(rows, 0, 5));
    for (let step = 5; step < 100; step++) cache.append(runOutputs(rows, step, 1));
    expect(cache.length).toBe(100);
    const past = pastOf(cache);
    expect(past.dims).toEqual([100, rows, HEADS, HEAD_DIM]);
    for (const position of [0, 4, 5, 31, 32, 63, 64, 99]) {
      for (let row = 0; row < rows; row++) {
        expect(past.vector(1, 'key', position, row)).toEqual(expected(1, 'key', position, row));
        expect(past.vector(0, 'value', position, row)).toEqual(expected(0, 'value', position, row));
      }
    }
    // the feeds are exactly the filled part, never the spare room
    expect(cache.feeds()[OPT_GRAPHS.pastKey(0)].data).toHaveLength(100 * rows * WIDTH);
  });

  it('reorders rows (beam expansion, then reordering), keeping every position of the chosen rows', () => {
    const cache = new KvCache(LAYERS, HEADS, HEAD_DIM, 2);
    cache.append(runOutputs(2, 0, 4));
    cache.reorder(Int32Array.of(0, 0, 1, 1)); // expand 2 inputs × 2 beams
    expect(cache.rows).toBe(4);
    let past = pastOf(cache);
    expect(past.dims).toEqual([4, 4, HEADS, HEAD_DIM]);
    expect(past.vector(1, 'value', 3, 2)).toEqual(expected(1, 'value', 3, 1));
    cache.append(runOutputs(4, 4, 1));
    cache.reorder(Int32Array.of(1, 1, 3, 2)); // reuses the spare buffers
    cache.reorder(Int32Array.of(3, 0, 1, 2)); // and again, back into the first set
    past = pastOf(cache);
    expect(cache.length).toBe(5);
    // row 0 ← (row 3 after the first reorder) ← old row 2; its step-4 vector was written as row 2
    expect(past.vector(0, 'key', 4, 0)).toEqual(expected(0, 'key', 4, 2));
    expect(past.vector(0, 'key', 0, 0)).toEqual(expected(0, 'key', 0, 1));
    expect(past.vector(1, 'value', 4, 1)).toEqual(expected(1, 'value', 4, 1));
    expect(past.vector(1, 'value', 4, 3)).toEqual(expected(1, 'value', 4, 3));
    cache.reorder(Int32Array.of(2)); // dropping rows: row 2 holds the step-4 vector written as row 1
    expect(pastOf(cache).dims).toEqual([5, 1, HEADS, HEAD_DIM]);
    expect(pastOf(cache).vector(0, 'key', 4, 0)).toEqual(expected(0, 'key', 4, 1));
  });

  it('copies out one row and seeds a cache from such rows (the image prefix round trip)', () => {
    const cache = new KvCache(LAYERS, HEADS, HEAD_DIM, 3);
    cache.append(runOutputs(3, 0, 6));
    const row = (r: number) => ({
      keys: Array.from({ length: LAYERS }, (_, layer) => cache.copyRowRanges(layer, r, 'keys', [[0, 6]], (n) => new Float32Array(n))),
      values: Array.from({ length: LAYERS }, (_, layer) => cache.copyRowRanges(layer, r, 'values', [[0, 6]], (n) => new Float32Array(n))),
    });
    const [row2, row0] = [row(2), row(0)];
    expect(row2.keys[1]).toHaveLength(6 * WIDTH);
    expect(Array.from(row2.keys[1].subarray(5 * WIDTH, 6 * WIDTH))).toEqual(expected(1, 'key', 5, 2));

    const seeded = new KvCache(LAYERS, HEADS, HEAD_DIM, 1);
    seeded.seedRows([row2.keys, row0.keys, row2.keys], [row2.values, row0.values, row2.values], 6);
    expect(seeded.rows).toBe(3);
    seeded.append(runOutputs(3, 6, 1));
    const past = pastOf(seeded);
    expect(past.dims).toEqual([7, 3, HEADS, HEAD_DIM]);
    expect(past.vector(0, 'key', 3, 1)).toEqual(expected(0, 'key', 3, 0));
    expect(past.vector(1, 'value', 5, 2)).toEqual(expected(1, 'value', 5, 2));
    expect(past.vector(1, 'value', 6, 1)).toEqual(expected(1, 'value', 6, 1));
  });

  it('copies a row at chosen position ranges, packed in order, and refuses ranges past the filled part', () => {
    const cache = new KvCache(LAYERS, HEADS, HEAD_DIM, 2);
    cache.append(runOutputs(2, 0, 7));
    const picked = cache.copyRowRanges(1, 1, 'values', [[0, 2], [5, 7]], (n) => new Float32Array(n));
    expect(picked).toHaveLength(4 * WIDTH);
    [0, 1, 5, 6].forEach((position, i) => expect(Array.from(picked.subarray(i * WIDTH, (i + 1) * WIDTH))).toEqual(expected(1, 'value', position, 1)));
    expect(() => cache.copyRowRanges(0, 0, 'keys', [[6, 8]], (n) => new Float32Array(n))).toThrow(RangeError);
  });
});
