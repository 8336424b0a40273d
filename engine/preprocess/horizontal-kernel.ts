/**
 * The hot loop of Pillow's horizontal 8-bit pass on interleaved RGB, tuned for V8: two source rows per sweep
 * (each weight is loaded once for six sums), one little-endian 32-bit read fetches a pixel's R, G and B, and
 * Math.imul keeps the arithmetic in int32 exactly like Pillow's C. The function is self-contained (literal
 * constants, no imports or closures) so that its source text can also run inside a worker thread.
 */

/**
 * Filters source rows `rowStart..rowEnd` (image width `inWidth`) into `dst` rows starting at 0. `bounds` holds
 * (first input column, tap count) per output column, `weights` the 22-bit fixed-point taps with row stride
 * `ksize`. `dst` is a clamped view, so `sum >> 22` is stored clipped to 0..255 as Pillow's clip8 does.
 */
export function horizontalPassKernel(
  src: Uint8Array,
  inWidth: number,
  rowStart: number,
  rowEnd: number,
  dst: Uint8ClampedArray,
  ksize: number,
  bounds: Int32Array,
  weights: Int32Array,
): void {
  const outWidth = bounds.length >> 1;
  const stride = inWidth * 3;
  const outStride = outWidth * 3;
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  // A 32-bit read at a row's last pixel touches one byte of the next row: stay clear of the buffer's end.
  const lastSafeRow = Math.floor((src.byteLength - 1) / stride) - 1;
  let y = rowStart;
  for (; y + 1 < rowEnd && y + 1 <= lastSafeRow; y += 2) {
    const rowBase = y * stride;
    let o = (y - rowStart) * outStride;
    for (let xx = 0; xx < outWidth; xx++) {
      let p = rowBase + bounds[2 * xx] * 3;
      let k = xx * ksize;
      const kEnd = k + bounds[2 * xx + 1];
      let r0 = 2097152, g0 = 2097152, b0 = 2097152, r1 = 2097152, g1 = 2097152, b1 = 2097152;
      for (; k < kEnd; k++, p += 3) {
        const w = weights[k];
        const a = view.getUint32(p, true);
        const b = view.getUint32(p + stride, true);
        r0 = (r0 + Math.imul(a & 255, w)) | 0;
        g0 = (g0 + Math.imul((a >>> 8) & 255, w)) | 0;
        b0 = (b0 + Math.imul((a >>> 16) & 255, w)) | 0;
        r1 = (r1 + Math.imul(b & 255, w)) | 0;
        g1 = (g1 + Math.imul((b >>> 8) & 255, w)) | 0;
        b1 = (b1 + Math.imul((b >>> 16) & 255, w)) | 0;
      }
      dst[o] = r0 >> 22;
      dst[o + 1] = g0 >> 22;
      dst[o + 2] = b0 >> 22;
      dst[o + outStride] = r1 >> 22;
      dst[o + outStride + 1] = g1 >> 22;
      dst[o + outStride + 2] = b1 >> 22;
      o += 3;
    }
  }
  for (; y < rowEnd; y++) {
    const rowBase = y * stride;
    let o = (y - rowStart) * outStride;
    for (let xx = 0; xx < outWidth; xx++) {
      let p = rowBase + bounds[2 * xx] * 3;
      let k = xx * ksize;
      const kEnd = k + bounds[2 * xx + 1];
      let r = 2097152, g = 2097152, b = 2097152;
      for (; k < kEnd; k++, p += 3) {
        const w = weights[k];
        r = (r + Math.imul(src[p], w)) | 0;
        g = (g + Math.imul(src[p + 1], w)) | 0;
        b = (b + Math.imul(src[p + 2], w)) | 0;
      }
      dst[o] = r >> 22;
      dst[o + 1] = g >> 22;
      dst[o + 2] = b >> 22;
      o += 3;
    }
  }
}
