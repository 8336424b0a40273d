/**
 * The weight formats a bundle can be stored in: their names, their quantization settings, which families refuse
 * float16, and the file names each format gives (transformers.js style). Both the converter (engine/convert/) and
 * the manifest reader need these facts, so they live with the bundle format.
 */

export const BUNDLE_DTYPES = ['fp32', 'fp16', 'bf16', 'int8', 'int4'] as const;
export type BundleDtype = (typeof BUNDLE_DTYPES)[number];
export type QuantizedDtype = Extract<BundleDtype, 'int8' | 'int4'>;

export interface WeightFormat {
  dtype: BundleDtype;
  /** int8/int4: MatMulNBits block_size (a power of two ≥ 16) */
  blockSize?: number;
  /** int8/int4: MatMulNBits accuracy_level (0–4; 4 = int8 activations) */
  accuracyLevel?: number;
}

export const FP32: WeightFormat = { dtype: 'fp32' };

/** Families whose language model must not be stored or run in float16 (T5 overflows in float16). */
const NO_FLOAT16_FAMILIES: ReadonlySet<string> = new Set(['blip2-t5']);

/** Whether a family may not hold float16 weights (the converter refuses to write them, the manifest to load them). */
export function familyRefusesFloat16(family: string): boolean {
  return NO_FLOAT16_FAMILIES.has(family);
}

const SUFFIX: Record<BundleDtype, string> = { fp32: '', fp16: '_fp16', bf16: '_bf16', int8: '_q8', int4: '_q4' };

/** `decoder_with_past` + int4 → `decoder_with_past_q4.onnx` (transformers.js naming); fp32 keeps the plain name. */
export function formatFileName(stem: string, format: WeightFormat, extension: string): string {
  return `${stem}${SUFFIX[format.dtype]}.${extension}`;
}

export function isQuantized(dtype: BundleDtype): dtype is QuantizedDtype {
  return dtype === 'int8' || dtype === 'int4';
}
