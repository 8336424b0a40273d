/**
 * Bit-exact port of Pillow's 8-bit separable resampler (`ImagingResample` for RGB images, Pillow 9.4):
 * a horizontal pass over the source rows the vertical filter reads, clipped to 0..255, then a vertical pass.
 * A pass is skipped when its dimension does not change. All three channels are filtered together.
 */
import { ErrorCode, GlanceError } from '../errors.ts';
import { horizontalPassKernel } from './horizontal-kernel.ts';
import { PILLOW_FILTERS, type PillowFilterId } from './pillow-filters.ts';
import { computeResampleCoefficients, PRECISION_BITS, type ResampleCoefficients } from './resample-coefficients.ts';
import type { RgbImage } from './rgb-image.ts';

export type { RgbImage } from './rgb-image.ts';

const HALF = 1 << (PRECISION_BITS - 1);

/** Horizontal pass over source rows `rowStart..rowEnd`, written to `dst` from row 0 (see horizontal-kernel.ts). */
export const resampleRowsHorizontal: HorizontalRunner<void> = (src, inWidth, rowStart, rowEnd, dst, coeffs) =>
  horizontalPassKernel(src, inWidth, rowStart, rowEnd, dst, coeffs.ksize, coeffs.bounds, coeffs.weights);

/**
 * Vertical pass: each output row accumulates its source rows (bounds relative to `src`'s first row) into an
 * int32 row, two source rows per sweep; integer sums are exact, so the order does not change the result.
 */
function resampleVertical(src: Uint8Array, width: number, dst: Uint8ClampedArray, coeffs: ResampleCoefficients): void {
  const { ksize, bounds, weights } = coeffs;
  const outHeight = bounds.length >> 1;
  const stride = width * 3;
  const acc = new Int32Array(stride);
  for (let yy = 0; yy < outHeight; yy++) {
    acc.fill(HALF);
    const ymin = bounds[2 * yy];
    const taps = bounds[2 * yy + 1];
    const kBase = yy * ksize;
    let y = 0;
    for (; y + 1 < taps; y += 2) {
      const w0 = weights[kBase + y];
      const w1 = weights[kBase + y + 1];
      const row0 = (ymin + y) * stride;
      const row1 = row0 + stride;
      for (let j = 0; j < stride; j++) {
        acc[j] = (acc[j] + Math.imul(src[row0 + j], w0) + Math.imul(src[row1 + j], w1)) | 0;
      }
    }
    if (y < taps) {
      const w = weights[kBase + y];
      const row = (ymin + y) * stride;
      for (let j = 0; j < stride; j++) acc[j] = (acc[j] + Math.imul(src[row + j], w)) | 0;
    }
    const outBase = yy * stride;
    for (let j = 0; j < stride; j++) dst[outBase + j] = acc[j] >> PRECISION_BITS;
  }
}

function checkSize(image: RgbImage, width: number, height: number): void {
  const ok = (n: number) => Number.isInteger(n) && n > 0;
  if (!ok(width) || !ok(height) || !ok(image.width) || !ok(image.height) || image.data.length !== image.width * image.height * 3) {
    throw new GlanceError(
      ErrorCode.InvalidInput,
      `resizePillow needs a ${image.width}x${image.height} RGB buffer of ${image.width * image.height * 3} bytes (got ${image.data.length}) and a positive integer target size (got ${width}x${height}).`,
    );
  }
}

/** Runs the horizontal pass over source rows `rowStart..rowEnd` into `dst` (synchronously or not). */
export type HorizontalRunner<R> = (
  src: Uint8Array,
  inWidth: number,
  rowStart: number,
  rowEnd: number,
  dst: Uint8ClampedArray,
  coeffs: ResampleCoefficients,
) => R;

/**
 * Pillow's `ImagingResampleInner` with the horizontal pass delegated to `runHorizontal` (so a caller may split it
 * across threads); `then` continues after it, synchronously for a sync runner or after the promise settles.
 */
function resizeInner<R>(
  image: RgbImage,
  width: number,
  height: number,
  filter: PillowFilterId,
  runHorizontal: HorizontalRunner<R>,
  then: (result: R, finish: () => RgbImage) => RgbImage | Promise<RgbImage>,
  immediate: (image: RgbImage) => RgbImage | Promise<RgbImage>,
): RgbImage | Promise<RgbImage> {
  checkSize(image, width, height);
  const kernel = PILLOW_FILTERS[filter];
  if (!kernel) {
    throw new GlanceError(ErrorCode.CheckpointInvalidConfig, `Unsupported Pillow resample filter ${String(filter)}; supported are 3 (BICUBIC), 2 (BILINEAR) and 1 (LANCZOS).`);
  }
  const needHorizontal = width !== image.width;
  const needVertical = height !== image.height;
  if (!needHorizontal && !needVertical) {
    return immediate({ width, height, data: image.data.slice() });
  }
  const vertical = computeResampleCoefficients(image.height, height, kernel);
  const verticalPass = (current: RgbImage): RgbImage => {
    if (!needVertical) return current;
    const out = new Uint8ClampedArray(width * height * 3);
    resampleVertical(current.data, width, out, vertical);
    return { width, height, data: new Uint8Array(out.buffer) };
  };
  if (!needHorizontal) return immediate(verticalPass(image));
  const horizontal = computeResampleCoefficients(image.width, width, kernel);
  let rowStart = 0;
  let rowEnd = image.height;
  if (needVertical) {
    // Only the source rows the vertical pass reads; its bounds become relative to the first of them.
    rowStart = vertical.bounds[0];
    rowEnd = vertical.bounds[height * 2 - 2] + vertical.bounds[height * 2 - 1];
    for (let i = 0; i < height; i++) vertical.bounds[i * 2] -= rowStart;
  }
  const out = new Uint8ClampedArray((rowEnd - rowStart) * width * 3);
  const result = runHorizontal(image.data, image.width, rowStart, rowEnd, out, horizontal);
  return then(result, () => verticalPass({ width, height: rowEnd - rowStart, data: new Uint8Array(out.buffer) }));
}

/** Resizes like Pillow's `Image.resize((width, height), resample=filter)` on an RGB image, bit for bit. */
export function resizePillow(image: RgbImage, width: number, height: number, filter: PillowFilterId): RgbImage {
  return resizeInner(image, width, height, filter, resampleRowsHorizontal, (_, finish) => finish(), (done) => done) as RgbImage;
}

/** {@link resizePillow} with an asynchronous horizontal pass (e.g. split across worker threads); same bytes. */
export async function resizePillowWith(
  image: RgbImage,
  width: number,
  height: number,
  filter: PillowFilterId,
  runHorizontal: HorizontalRunner<Promise<void>>,
): Promise<RgbImage> {
  return resizeInner(image, width, height, filter, runHorizontal, async (pending, finish) => {
    await pending;
    return finish();
  }, async (done) => done);
}
