/**
 * The bundle manifest: what the converter wrote and what the engine checks at load. Every graph's inputs and
 * outputs (names, dtypes, symbolic dims) are recorded here; tensor names appear nowhere else in the engine.
 *
 * `model` differs per family (discriminated by `architecture`); `graphs` maps each family's graph keys
 * (REQUIRED_GRAPHS in tensor-names.ts) to files.
 */
import { z } from 'zod';
import { BUNDLE_DTYPES, familyRefusesFloat16, isQuantized } from './weight-formats.ts';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'glance-blip2-bundle';
export const MANIFEST_VERSION = 2;

const dim = z.union([z.number().int().nonnegative(), z.string().min(1)]);
const tensorSpec = z.object({ name: z.string().min(1), dtype: z.enum(['float32', 'float16', 'int64', 'int32', 'bool']), dims: z.array(dim) });
const graphSpec = z.object({ file: z.string().min(1), inputs: z.array(tensorSpec), outputs: z.array(tensorSpec) });
const count = z.number().int().positive();
const tokenId = z.number().int().nonnegative();

/** Facts every family records about its vision side. */
const visionFacts = {
  numQueryTokens: count,
  imageSize: count,
  visionHiddenSize: count,
  qformerHiddenSize: count,
};

export const optModelSchema = z.object({
  architecture: z.literal('blip2-opt'),
  ...visionFacts,
  languageHiddenSize: count,
  numLayers: count,
  numHeads: count,
  headDim: count,
  vocabSize: count,
  maxPositions: count,
  bosTokenId: tokenId,
  eosTokenIds: z.array(tokenId).min(1),
  padTokenId: tokenId,
  imageTokenIndex: tokenId.nullable(),
});

/** Blip2ForImageTextRetrieval: no language model; the Q-Former reads the text (BERT WordPiece ids). */
export const itmModelSchema = z.object({
  architecture: z.literal('blip2-itm'),
  ...visionFacts,
  /** The vision tower's sequence length (patches + CLS): the ITM graph's image input is [images, visionTokens, visionHiddenSize]. */
  visionTokens: count,
  /** image_text_hidden_size: the width of the ITC embeddings. */
  embedDim: count,
  /** The Q-Former's max_position_embeddings: the longest text, special tokens included. */
  maxTextLength: count,
  vocabSize: count,
  padTokenId: tokenId,
});

/** BLIP-2 with a T5 encoder-decoder (Flan-T5): no positions limit (relative position buckets). */
export const t5ModelSchema = z.object({
  architecture: z.literal('blip2-t5'),
  ...visionFacts,
  /** d_model */
  languageHiddenSize: count,
  numEncoderLayers: count,
  numDecoderLayers: count,
  numHeads: count,
  /** d_kv (heads × d_kv may differ from d_model) */
  headDim: count,
  vocabSize: count,
  decoderStartTokenId: tokenId,
  bosTokenId: tokenId.nullable(),
  eosTokenIds: z.array(tokenId).min(1),
  padTokenId: tokenId,
  imageTokenIndex: tokenId.nullable(),
});

/** MatMulNBits parameters of an int8/int4 bundle (asymmetric block-wise quantization with zero points). */
const quantizationSchema = z.object({
  op: z.literal('MatMulNBits'),
  bits: z.union([z.literal(4), z.literal(8)]),
  blockSize: z.number().int().min(16).refine((n) => (n & (n - 1)) === 0, 'a power of two'),
  accuracyLevel: z.number().int().min(0).max(4),
  zeroPoints: z.literal(true),
});

export const modelSchema = z.discriminatedUnion('architecture', [optModelSchema, t5ModelSchema, itmModelSchema]);

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(MANIFEST_VERSION),
  createdBy: z.string(),
  /** The weight format (docs/engine.md, "Weight formats"); the graph and weight file names carry its suffix. */
  dtype: z.enum(BUNDLE_DTYPES),
  /** int8/int4 bundles: how the Linears outside the Q-Former were quantized. */
  quantization: quantizationSchema.optional(),
  model: modelSchema,
  preprocessor: z.record(z.string(), z.unknown()),
  tokenizer: z.object({ file: z.string(), configFile: z.string().nullable() }),
  /** tensorBytes: the stored tensors themselves; fileBytes: the size of the file (tensors are 64 KiB-aligned). */
  weights: z.object({ file: z.string(), tensorBytes: z.number().int().nonnegative(), fileBytes: z.number().int().nonnegative() }),
  graphs: z.record(z.string(), graphSpec),
}).superRefine((manifest, ctx) => {
  if (isQuantized(manifest.dtype) !== (manifest.quantization !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['quantization'], message: `dtype ${manifest.dtype} ${isQuantized(manifest.dtype) ? 'needs' : 'cannot have'} a quantization record` });
  } else if (manifest.quantization && manifest.quantization.bits !== (manifest.dtype === 'int4' ? 4 : 8)) {
    ctx.addIssue({ code: 'custom', path: ['quantization', 'bits'], message: `dtype ${manifest.dtype} does not store ${manifest.quantization.bits}-bit weights` });
  }
  if (manifest.dtype === 'fp16' && familyRefusesFloat16(manifest.model.architecture)) {
    ctx.addIssue({ code: 'custom', path: ['dtype'], message: `${manifest.model.architecture} bundles cannot be fp16 (Flan-T5 overflows in float16); convert with --dtype fp32 or bf16` });
  }
});

export type BundleManifest = z.infer<typeof manifestSchema>;
export type ManifestModel = z.infer<typeof modelSchema>;
export type Architecture = ManifestModel['architecture'];
export type OptModelFacts = z.infer<typeof optModelSchema>;
export type T5ModelFacts = z.infer<typeof t5ModelSchema>;
export type ItmModelFacts = z.infer<typeof itmModelSchema>;
export type GraphSpec = z.infer<typeof graphSpec>;
