import { describe, expect, it } from 'vitest';
import { kthLargest, selectTopK } from '../../../engine/generation/top-k.ts';

describe('selectTopK', () => {
  it.each([
    { values: [1, 5, 3, 5, -Infinity, 2], k: 3, indices: [1, 3, 2] },
    { values: [0, 0, 0], k: 2, indices: [0, 1] },
    { values: [-Infinity, -Infinity, 1], k: 3, indices: [2, 0, 1] },
    { values: [4, 3], k: 5, indices: [0, 1] },
  ])('top $k of $values → $indices (ties: lower index first)', ({ values, k, indices }) => {
    const outIdx = new Int32Array(k);
    const outVal = new Float32Array(k);
    const count = selectTopK(Float32Array.from(values), values.length, k, outIdx, outVal);
    expect(count).toBe(indices.length);
    expect([...outIdx.subarray(0, count)]).toEqual(indices);
    expect([...outVal.subarray(0, count)]).toEqual(indices.map((i) => values[i]));
  });

  it('agrees with a full sort on a large random array', () => {
    const values = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 7);
    const expected = [...values.keys()].sort((a, b) => values[b] - values[a] || a - b).slice(0, 20);
    const outIdx = new Int32Array(20);
    selectTopK(values, values.length, 20, outIdx, new Float32Array(20));
    expect([...outIdx]).toEqual(expected);
    expect(kthLargest(values, 20)).toBe(values[expected[19]]);
    const sortedDesc = [...values].sort((a, b) => b - a);
    expect(kthLargest(values, 300)).toBe(sortedDesc[299]);
  });
});
