/**
 * How a bundle stores its weights. `fp32` keeps the checkpoint's float32 values; the other formats are added by the
 * weight-format work (16-bit storage, block-wise int8/int4). The format also names the bundle's files.
 */
export const BUNDLE_DTYPES = ['fp32', 'fp16', 'bf16', 'int8', 'int4'] as const;
export type BundleDtype = (typeof BUNDLE_DTYPES)[number];

export interface WeightFormat {
  dtype: BundleDtype;
}

export const FP32: WeightFormat = { dtype: 'fp32' };

const SUFFIX: Record<BundleDtype, string> = { fp32: '', fp16: '_fp16', bf16: '_bf16', int8: '_q8', int4: '_q4' };

/** `decoder_with_past` + int4 → `decoder_with_past_q4.onnx` (transformers.js naming); fp32 keeps the plain name. */
export function formatFileName(stem: string, format: WeightFormat, extension: string): string {
  return `${stem}${SUFFIX[format.dtype]}.${extension}`;
}
