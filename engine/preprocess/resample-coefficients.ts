/**
 * Fixed-point coefficient tables of Pillow's 8-bit resampler: a port of `precompute_coeffs` followed by
 * `normalize_coeffs_8bpc` (PRECISION_BITS = 22, negative weights rounded down, positive ones up).
 */
import type { PillowFilter } from './pillow-filters.ts';

export const PRECISION_BITS = 32 - 8 - 2;

export interface ResampleCoefficients {
  /** Taps reserved per output sample (the table's row stride). */
  readonly ksize: number;
  /** Pairs (first input index, tap count) per output sample. */
  readonly bounds: Int32Array;
  /** outSize × ksize weights scaled by 2^PRECISION_BITS; unused taps are 0. */
  readonly weights: Int32Array;
}

/**
 * Coefficients mapping `inSize` samples (box `in0..in1`) onto `outSize` samples. The arithmetic follows Pillow
 * step by step in float64 (`in0`/`in1` are C floats there; integer boxes are exact in both).
 */
export function computeResampleCoefficients(
  inSize: number,
  outSize: number,
  filter: PillowFilter,
  in0 = 0,
  in1 = inSize,
): ResampleCoefficients {
  const scale = (Math.fround(in1) - Math.fround(in0)) / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const invFilterscale = 1 / filterscale;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const row = new Float64Array(ksize);
  const one = 1 << PRECISION_BITS;
  for (let xx = 0; xx < outSize; xx++) {
    const center = in0 + (xx + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.weight((x + xmin - center + 0.5) * invFilterscale);
      row[x] = w;
      ww += w;
    }
    const base = xx * ksize;
    for (let x = 0; x < xmax; x++) {
      const k = ww !== 0 ? row[x] / ww : row[x];
      weights[base + x] = k < 0 ? Math.trunc(-0.5 + k * one) : Math.trunc(0.5 + k * one);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = Math.max(xmax, 0);
  }
  return { ksize, bounds, weights };
}
