/**
 * Softmax and log-softmax over one row of float32 scores, computed in double precision and stored as float32 (torch
 * computes in float32; the two may differ in the last bit, which does not change a ranking in practice).
 */

/** dst[0, n) = log_softmax(src[srcOffset, srcOffset + n)). */
export function logSoftmaxInto(src: Float32Array, srcOffset: number, n: number, dst: Float32Array, dstOffset: number): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = src[srcOffset + i];
    if (v > max) max = v;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(src[srcOffset + i] - max);
  const logSum = Math.log(sum);
  for (let i = 0; i < n; i++) dst[dstOffset + i] = src[srcOffset + i] - max - logSum;
}

/** Probabilities of `scores` (a whole row), written into `out` (same length). */
export function softmaxInto(scores: Float32Array, out: Float64Array): void {
  const n = scores.length;
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (scores[i] > max) max = scores[i];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(scores[i] - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) out[i] /= sum;
}
