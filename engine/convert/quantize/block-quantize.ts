/**
 * Block-wise weight-only quantization for onnxruntime's com.microsoft `MatMulNBits`, computed the way onnxruntime's
 * own quantizer computes it (`MatMulNBitsQuantizer` → `quantize_matmul_{4,8}bits` → MLAS
 * `BlockwiseQuantizer<float, block, bits, columnwise>::quantizeAndTranspose`, asymmetric, with zero points):
 *
 * - the weight is the checkpoint's row-major [N = out, K = in] matrix, i.e. already MatMulNBits' "transposed" B: each
 *   output row n is cut along K into `kBlocks = ceil(K / blockSize)` blocks;
 * - per block: min = min(0, min v), max = max(0, max v), scale = (max − min) / (2^bits − 1),
 *   zero point = clamp(roundf(−min / scale), 0, 2^bits − 1) (0 when scale is 0);
 * - q = clamp(roundf(v · (1 / scale) + zp), 0, 2^bits − 1), all in float32 arithmetic as the C++ does;
 * - B is uint8 [N, kBlocks, blobSize] (blobSize = blockSize · bits / 8), 4-bit codes packed low nibble first along K;
 *   the padding of a last partial block holds the zero point (onnxruntime's python pads the weight with 0.0);
 * - scales are float32 [N · kBlocks]; zero points are uint8 [N · ceil(kBlocks · bits / 8)], 4-bit ones packed two
 *   blocks a byte, low nibble first, an odd last nibble left at the default 8.
 *
 * Dequantized value: (q − zp) · scale.
 */

export type QuantBits = 4 | 8;

export interface BlockQuantized {
  bits: QuantBits;
  blockSize: number;
  /** rows of the checkpoint weight (output features) */
  n: number;
  /** columns of the checkpoint weight (input features) */
  k: number;
  kBlocks: number;
  blobSize: number;
  /** uint8 [n, kBlocks, blobSize] */
  packed: Uint8Array;
  /** float32 [n · kBlocks] */
  scales: Float32Array;
  /** uint8 [n · zeroPointBytesPerRow] */
  zeroPoints: Uint8Array;
}

/** MatMulNBits' own requirement: a power of two, at least 16. */
export function isValidBlockSize(blockSize: number): boolean {
  return Number.isInteger(blockSize) && blockSize >= 16 && (blockSize & (blockSize - 1)) === 0;
}

export function quantizedLayout(n: number, k: number, bits: QuantBits, blockSize: number) {
  const kBlocks = Math.ceil(k / blockSize);
  const blobSize = (blockSize * bits) / 8;
  const zeroPointBytesPerRow = Math.ceil((kBlocks * bits) / 8);
  return {
    kBlocks,
    blobSize,
    zeroPointBytesPerRow,
    packedBytes: n * kBlocks * blobSize,
    scaleCount: n * kBlocks,
    zeroPointBytes: n * zeroPointBytesPerRow,
  };
}

const fround = Math.fround;

/** C's roundf for the values that matter here (non-negative ones; negative ones are clamped to 0 by the caller). */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Quantizes a row-major float32 [n, k] weight. */
export function quantizeBlockwise(weight: Float32Array, n: number, k: number, bits: QuantBits, blockSize: number): BlockQuantized {
  if (weight.length !== n * k) throw new Error(`weight has ${weight.length} values, expected ${n}×${k}`);
  if (bits !== 4 && bits !== 8) throw new Error(`bits must be 4 or 8, got ${bits}`);
  if (!isValidBlockSize(blockSize)) throw new Error(`block size must be a power of two ≥ 16, got ${blockSize}`);
  const layout = quantizedLayout(n, k, bits, blockSize);
  const { kBlocks, blobSize, zeroPointBytesPerRow } = layout;
  const packed = new Uint8Array(layout.packedBytes);
  const scales = new Float32Array(layout.scaleCount);
  const zeroPoints = new Uint8Array(layout.zeroPointBytes);
  if (bits === 4) zeroPoints.fill(0x88);
  const qMax = (1 << bits) - 1;
  for (let row = 0; row < n; row++) {
    const rowBase = row * k;
    for (let block = 0; block < kBlocks; block++) {
      const start = block * blockSize;
      const end = Math.min(start + blockSize, k);
      let min = 0;
      let max = 0;
      for (let i = rowBase + start; i < rowBase + end; i++) {
        const v = weight[i];
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const scale = fround(fround(max - min) / qMax);
      let zpFloat = min;
      if (scale !== 0) zpFloat = fround(0 - fround(min / scale));
      const zp = zpFloat < 0 ? 0 : zpFloat > qMax ? qMax : roundHalfAway(zpFloat);
      const reciprocal = scale !== 0 ? fround(1 / scale) : 0;
      const meta = row * kBlocks + block;
      scales[meta] = scale;
      if (bits === 8) {
        zeroPoints[row * zeroPointBytesPerRow + block] = zp;
      } else {
        const at = row * zeroPointBytesPerRow + (block >> 1);
        zeroPoints[at] = block & 1 ? (zeroPoints[at] & 0x0f) | (zp << 4) : (zeroPoints[at] & 0xf0) | zp;
      }
      const blob = meta * blobSize;
      for (let j = 0; j < blockSize; j++) {
        let q = zp;
        if (start + j < end) {
          const r = roundHalfAway(fround(fround(weight[rowBase + start + j] * reciprocal) + zp));
          q = r < 0 ? 0 : r > qMax ? qMax : r;
        }
        if (bits === 8) packed[blob + j] = q;
        else if ((j & 1) === 0) packed[blob + (j >> 1)] = q;
        else packed[blob + (j >> 1)] |= q << 4;
      }
    }
  }
  return { bits, blockSize, n, k, kBlocks, blobSize, packed, scales, zeroPoints };
}

/** The float32 [n, k] weight MatMulNBits computes with: (q − zp) · scale. */
export function dequantizeBlockwise(q: BlockQuantized): Float32Array {
  const { n, k, kBlocks, blobSize, bits, blockSize } = q;
  const zpBytes = Math.ceil((kBlocks * bits) / 8);
  const out = new Float32Array(n * k);
  for (let row = 0; row < n; row++) {
    for (let block = 0; block < kBlocks; block++) {
      const meta = row * kBlocks + block;
      const scale = q.scales[meta];
      const zp = bits === 8 ? q.zeroPoints[row * zpBytes + block] : (q.zeroPoints[row * zpBytes + (block >> 1)] >> ((block & 1) * 4)) & 0x0f;
      const blob = meta * blobSize;
      const start = block * blockSize;
      const end = Math.min(start + blockSize, k);
      for (let i = start; i < end; i++) {
        const j = i - start;
        const code = bits === 8 ? q.packed[blob + j] : (q.packed[blob + (j >> 1)] >> ((j & 1) * 4)) & 0x0f;
        out[row * k + i] = fround((code - zp) * scale);
      }
    }
  }
  return out;
}
