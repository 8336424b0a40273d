/**
 * How a bundle stores its weights, and which tensors each format re-encodes (see docs/engine.md, "Weight formats").
 *
 * | dtype | Linears outside the Q-Former | embedding tables | other weights | Q-Former, query_tokens |
 * | --- | --- | --- | --- | --- |
 * | fp32 | float32 | float32 | float32 | float32 |
 * | fp16 / bf16 | 16-bit, Cast to float32 (folded at load) | 16-bit, rows Cast after the Gather | 16-bit, Cast | float32 |
 * | int8 / int4 | MatMulNBits, block-wise with zero points | GatherBlockQuantized over the same encoding (float16 when rows do not split into blocks) | float32 | float32 |
 *
 * The formats themselves (names, file suffixes) are the bundle's: engine/bundle/weight-formats.ts.
 * Compute is float32 in every format: onnxruntime's CPU kernels are not faster in float16 (measured, docs/engine.md),
 * and MatMulNBits dequantizes inside its kernel.
 */
import { GlanceError, ErrorCode } from '../errors.ts';
import type { WeightEncoding, WeightPolicy, WeightUse } from './onnx/graph-builder.ts';
import { isValidBlockSize } from './quantize/block-quantize.ts';
import { BUNDLE_DTYPES, familyRefusesFloat16, isQuantized, type BundleDtype, type WeightFormat } from '../bundle/weight-formats.ts';

/** Defaults chosen from measurements on this CPU (docs/benchmarks.md, "Weight formats"). */
export const DEFAULT_BLOCK_SIZE = 32;
export const DEFAULT_ACCURACY_LEVEL = 4;

function invalid(message: string, details?: Record<string, unknown>): GlanceError {
  return new GlanceError(ErrorCode.InvalidInput, message, details);
}

function parseInteger(flag: string, value: string | number): number {
  const parsed = typeof value === 'number' ? value : /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed)) throw invalid(`${flag} ${value} is not an integer.`, { flag, value });
  return parsed;
}

/**
 * `--dtype`, `--block-size`, `--accuracy-level` → a WeightFormat. Unknown dtypes, bad values, and quantization
 * options given with a dtype that is not quantized are refused (INVALID_INPUT): nothing is accepted and ignored.
 */
export function parseWeightFormat(options: { dtype?: string; blockSize?: string | number; accuracyLevel?: string | number }): WeightFormat {
  const dtype = options.dtype ?? 'fp32';
  if (!(BUNDLE_DTYPES as readonly string[]).includes(dtype)) {
    throw invalid(`--dtype ${dtype} is not a weight format; use one of ${BUNDLE_DTYPES.join(', ')}.`, { dtype });
  }
  const format: WeightFormat = { dtype: dtype as BundleDtype };
  if (!isQuantized(format.dtype)) {
    const given = [options.blockSize !== undefined && '--block-size', options.accuracyLevel !== undefined && '--accuracy-level'].filter(Boolean);
    if (given.length > 0) {
      throw invalid(`${given.join(' and ')} only appl${given.length > 1 ? 'y' : 'ies'} to the quantized formats (--dtype int8 or int4), not to --dtype ${dtype}.`, { dtype, options: given });
    }
    return format;
  }
  const blockSize = options.blockSize === undefined ? DEFAULT_BLOCK_SIZE : parseInteger('--block-size', options.blockSize);
  if (!isValidBlockSize(blockSize)) {
    throw invalid(`--block-size ${blockSize} is not valid: MatMulNBits needs a power of two of at least 16 (16, 32, 64, 128, …).`, { blockSize });
  }
  const accuracyLevel = options.accuracyLevel === undefined ? DEFAULT_ACCURACY_LEVEL : parseInteger('--accuracy-level', options.accuracyLevel);
  if (accuracyLevel < 0 || accuracyLevel > 4) {
    throw invalid(`--accuracy-level ${accuracyLevel} is not valid: MatMulNBits' accuracy_level is 0 to 4 (0 = float32 compute, 4 = int8 activations).`, { accuracyLevel });
  }
  return { ...format, blockSize, accuracyLevel };
}

/** Refuses formats a family cannot use: T5 (blip2-t5) only in fp32, bf16 and the quantized formats, never fp16. */
export function checkFormatForFamily(family: string, format: WeightFormat): void {
  if (format.dtype === 'fp16' && familyRefusesFloat16(family)) {
    throw invalid(`--dtype fp16 is not allowed for ${family}: Flan-T5 overflows in float16 (transformers keeps it out of float16 too). Use --dtype fp32 or bf16 (or int8/int4).`, { family, dtype: format.dtype });
  }
}

/** The Q-Former and its learned queries stay float32 in every format, as transformers' `_keep_in_fp32_modules`. */
export function keepsFloat32(checkpointName: string): boolean {
  return checkpointName === 'query_tokens' || checkpointName.startsWith('qformer.');
}

const FLOAT32: WeightEncoding = { kind: 'float32' };

/** The per-tensor encoding a format implies (the table in the header). */
export function weightPolicy(format: WeightFormat): WeightPolicy {
  const dtype = format.dtype;
  return {
    accuracyLevel: format.accuracyLevel ?? DEFAULT_ACCURACY_LEVEL,
    encoding(checkpointName: string, use: WeightUse, shape: readonly number[]): WeightEncoding {
      if (dtype === 'fp32' || keepsFloat32(checkpointName)) return FLOAT32;
      if (dtype === 'fp16') return { kind: 'float16' };
      if (dtype === 'bf16') return { kind: 'bfloat16' };
      const nbits: WeightEncoding = { kind: 'nbits', bits: dtype === 'int4' ? 4 : 8, blockSize: format.blockSize ?? DEFAULT_BLOCK_SIZE };
      if (use === 'linear' && shape.length === 2) return nbits;
      // GatherBlockQuantized needs whole blocks per row; other tables are stored as float16.
      if (use === 'gather') return shape.length === 2 && shape[1] % nbits.blockSize === 0 ? nbits : { kind: 'float16' };
      return FLOAT32;
    },
  };
}
