/**
 * Reads a Hugging Face BLIP-2 `config.json` the way transformers 4.45 does: published configs list only the values
 * that differ from the class defaults of Blip2VisionConfig, Blip2QFormerConfig and OPTConfig, so every absent key
 * takes that default here (see ../shared/fixtures/configs/README.md). Every size the converter and engine use comes
 * from the resolved object; nothing is hard-coded elsewhere.
 */
import { z } from 'zod';
import { GlanceError, ErrorCode } from '../errors.ts';

export type Activation = 'gelu' | 'gelu_new' | 'relu' | 'quick_gelu';

export interface VisionConfig {
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  imageSize: number;
  patchSize: number;
  hiddenAct: Activation;
  layerNormEps: number;
  qkvBias: boolean;
}

export interface QFormerConfig {
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  hiddenAct: Activation;
  layerNormEps: number;
  crossAttentionFrequency: number;
  encoderHiddenSize: number;
}

export interface OptConfig {
  modelType: 'opt';
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  ffnDim: number;
  maxPositionEmbeddings: number;
  activation: Activation;
  layerNormEps: number;
  enableBias: boolean;
  /** true: the lm_head is the token embedding (OPT's default); false: a separate `lm_head.weight`. */
  tieWordEmbeddings: boolean;
  bosTokenId: number;
  eosTokenId: number;
  padTokenId: number;
  /** OPT's learned positions start at row 2. */
  positionOffset: number;
}

export interface Blip2Config {
  architecture: 'Blip2ForConditionalGeneration';
  numQueryTokens: number;
  imageTokenIndex: number | undefined;
  vision: VisionConfig;
  qformer: QFormerConfig;
  text: OptConfig;
}

const SUPPORTED_TEXT_MODELS = ['opt'];
const activation = z.enum(['gelu', 'gelu_new', 'relu', 'quick_gelu']);
const positiveInt = z.number().int().positive();

const visionSchema = z.looseObject({
  hidden_size: positiveInt.default(1408),
  intermediate_size: positiveInt.default(6144),
  num_hidden_layers: positiveInt.default(39),
  num_attention_heads: positiveInt.default(16),
  image_size: positiveInt.default(224),
  patch_size: positiveInt.default(14),
  hidden_act: activation.default('gelu'),
  layer_norm_eps: z.number().positive().default(1e-6),
  qkv_bias: z.boolean().default(true),
});

const qformerSchema = z.looseObject({
  hidden_size: positiveInt.default(768),
  intermediate_size: positiveInt.default(3072),
  num_hidden_layers: positiveInt.default(12),
  num_attention_heads: positiveInt.default(12),
  hidden_act: activation.default('gelu'),
  layer_norm_eps: z.number().positive().default(1e-12),
  cross_attention_frequency: positiveInt.default(2),
});

const optSchema = z.looseObject({
  model_type: z.literal('opt'),
  vocab_size: positiveInt.default(50272),
  hidden_size: positiveInt.default(768),
  num_hidden_layers: positiveInt.default(12),
  num_attention_heads: positiveInt.default(12),
  ffn_dim: positiveInt.default(3072),
  max_position_embeddings: positiveInt.default(2048),
  do_layer_norm_before: z.boolean().default(true),
  word_embed_proj_dim: positiveInt.nullish(),
  activation_function: activation.default('relu'),
  enable_bias: z.boolean().default(true),
  layer_norm_elementwise_affine: z.boolean().default(true),
  _remove_final_layer_norm: z.boolean().default(false),
  tie_word_embeddings: z.boolean().default(true),
  bos_token_id: z.number().int().nonnegative().default(2),
  eos_token_id: z.number().int().nonnegative().default(2),
  pad_token_id: z.number().int().nonnegative().default(1),
});

const topSchema = z.looseObject({
  model_type: z.string().optional(),
  architectures: z.array(z.string()).optional(),
  num_query_tokens: positiveInt.default(32),
  image_token_index: z.number().int().nonnegative().nullish(),
  vision_config: z.record(z.string(), z.unknown()).nullish(),
  qformer_config: z.record(z.string(), z.unknown()).nullish(),
  text_config: z.record(z.string(), z.unknown()).nullish(),
});

function invalid(message: string): GlanceError {
  return new GlanceError(ErrorCode.CheckpointInvalidConfig, `config.json: ${message}`);
}

function parsePart<T>(schema: z.ZodType<T>, value: unknown, part: string): T {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw invalid(`${part}.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid value'}`);
  }
  return result.data;
}

function checkHeads(hidden: number, heads: number, part: string): void {
  if (hidden % heads !== 0) throw invalid(`${part}: hidden_size ${hidden} is not divisible by num_attention_heads ${heads}`);
}

/** Resolves a parsed config.json into the sizes the converter needs; throws coded errors naming what is wrong. */
export function resolveBlip2Config(json: unknown): Blip2Config {
  if (typeof json !== 'object' || json === null) throw invalid('expected a JSON object');
  const top = parsePart(topSchema, json, 'config');
  if (top.model_type !== undefined && top.model_type !== 'blip-2') {
    throw new GlanceError(
      ErrorCode.CheckpointUnsupportedModel,
      `model_type "${top.model_type}" is not supported: glance converts BLIP-2 checkpoints (model_type "blip-2") whose language model is one of: ${SUPPORTED_TEXT_MODELS.join(', ')}.`,
    );
  }
  const architecture = top.architectures?.[0] ?? 'Blip2ForConditionalGeneration';
  if (architecture !== 'Blip2ForConditionalGeneration') {
    throw new GlanceError(
      ErrorCode.CheckpointUnsupportedModel,
      `architecture "${architecture}" is not supported: supported is Blip2ForConditionalGeneration with language model ${SUPPORTED_TEXT_MODELS.join(', ')}.`,
    );
  }
  const textType = (top.text_config ?? {})['model_type'] ?? 'opt';
  if (!SUPPORTED_TEXT_MODELS.includes(String(textType))) {
    throw new GlanceError(
      ErrorCode.CheckpointUnsupportedModel,
      `text_config.model_type "${String(textType)}" is not supported; supported language models: ${SUPPORTED_TEXT_MODELS.join(', ')}.`,
    );
  }

  const v = parsePart(visionSchema, top.vision_config, 'vision_config');
  const q = parsePart(qformerSchema, top.qformer_config, 'qformer_config');
  const t = parsePart(optSchema, { model_type: 'opt', ...(top.text_config ?? {}) }, 'text_config');

  if (v.image_size % v.patch_size !== 0) throw invalid(`vision_config: image_size ${v.image_size} is not a multiple of patch_size ${v.patch_size}`);
  checkHeads(v.hidden_size, v.num_attention_heads, 'vision_config');
  checkHeads(q.hidden_size, q.num_attention_heads, 'qformer_config');
  checkHeads(t.hidden_size, t.num_attention_heads, 'text_config');
  const unsupportedOpt: string[] = [];
  if (!t.do_layer_norm_before) unsupportedOpt.push('do_layer_norm_before=false');
  if (t.word_embed_proj_dim != null && t.word_embed_proj_dim !== t.hidden_size) unsupportedOpt.push('word_embed_proj_dim != hidden_size');
  if (!t.layer_norm_elementwise_affine) unsupportedOpt.push('layer_norm_elementwise_affine=false');
  if (t._remove_final_layer_norm) unsupportedOpt.push('_remove_final_layer_norm=true');
  if (unsupportedOpt.length > 0) {
    throw new GlanceError(
      ErrorCode.CheckpointUnsupportedModel,
      `this OPT variant is not supported (${unsupportedOpt.join(', ')}); BLIP-2's OPT models (2.7b, 6.7b) are pre-LayerNorm with equal embedding and hidden widths.`,
    );
  }

  return {
    architecture: 'Blip2ForConditionalGeneration',
    numQueryTokens: top.num_query_tokens,
    imageTokenIndex: top.image_token_index ?? undefined,
    vision: {
      hiddenSize: v.hidden_size,
      intermediateSize: v.intermediate_size,
      numLayers: v.num_hidden_layers,
      numHeads: v.num_attention_heads,
      imageSize: v.image_size,
      patchSize: v.patch_size,
      hiddenAct: v.hidden_act,
      layerNormEps: v.layer_norm_eps,
      qkvBias: v.qkv_bias,
    },
    qformer: {
      hiddenSize: q.hidden_size,
      intermediateSize: q.intermediate_size,
      numLayers: q.num_hidden_layers,
      numHeads: q.num_attention_heads,
      hiddenAct: q.hidden_act,
      layerNormEps: q.layer_norm_eps,
      crossAttentionFrequency: q.cross_attention_frequency,
      // Blip2Config always sets the Q-Former's encoder width to the vision width.
      encoderHiddenSize: v.hidden_size,
    },
    text: {
      modelType: 'opt',
      vocabSize: t.vocab_size,
      hiddenSize: t.hidden_size,
      numLayers: t.num_hidden_layers,
      numHeads: t.num_attention_heads,
      ffnDim: t.ffn_dim,
      maxPositionEmbeddings: t.max_position_embeddings,
      activation: t.activation_function,
      layerNormEps: 1e-5,
      enableBias: t.enable_bias,
      tieWordEmbeddings: t.tie_word_embeddings,
      bosTokenId: t.bos_token_id,
      eosTokenId: t.eos_token_id,
      padTokenId: t.pad_token_id,
      positionOffset: 2,
    },
  };
}
