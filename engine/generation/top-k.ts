/**
 * Partial selection of the largest scores without sorting the whole vocabulary. Order is descending by value; equal
 * values keep the lower index first (torch.topk leaves tie order unspecified; this is the deterministic choice).
 */

/**
 * Writes the indices and values of the `k` largest entries of `values[0, length)` into `outIndices`/`outValues`,
 * best first, and returns how many were written (min(k, length)). Cost O(length + insertions · k), meant for small k.
 */
export function selectTopK(
  values: Float32Array,
  length: number,
  k: number,
  outIndices: Int32Array,
  outValues: Float32Array,
): number {
  const want = Math.min(k, length);
  let count = 0;
  for (let i = 0; i < length; i++) {
    const v = values[i];
    if (count === want) {
      if (!(v > outValues[count - 1])) continue; // ties keep the earlier (lower) index
      count--; // the current last one falls out
    }
    let pos = count;
    while (pos > 0 && v > outValues[pos - 1]) {
      outValues[pos] = outValues[pos - 1];
      outIndices[pos] = outIndices[pos - 1];
      pos--;
    }
    outValues[pos] = v;
    outIndices[pos] = i;
    count++;
  }
  return count;
}

const SMALL_K = 128;

/** The k-th largest value (1-based k, clamped to [1, length]) of `values`, counting duplicates, like torch.topk(...)[-1]. */
export function kthLargest(values: Float32Array, k: number): number {
  const length = values.length;
  const want = Math.max(1, Math.min(k, length));
  if (want <= SMALL_K) {
    const idx = new Int32Array(want);
    const vals = new Float32Array(want);
    selectTopK(values, length, want, idx, vals);
    return vals[want - 1];
  }
  const sorted = Float32Array.from(values).sort();
  return sorted[length - want];
}
