/**
 * Reads a Hugging Face BLIP-2 `config.json` the way transformers 4.45 does: published configs list only the values
 * that differ from the class defaults of Blip2VisionConfig, Blip2QFormerConfig and the language model's config, so
 * every absent key takes that default here (see ../shared/fixtures/configs/README.md). Every size the converter and
 * engine use comes from the resolved object; nothing is hard-coded elsewhere.
 *
 * The result is one of the model families glance converts, told apart by `family`:
 *   blip2-opt  Blip2ForConditionalGeneration with an OPT language model (opt-config.ts)
 *   blip2-t5   Blip2ForConditionalGeneration with a T5 encoder-decoder, e.g. Flan-T5 (t5-config.ts)
 *   blip2-itm  Blip2ForImageTextRetrieval: ITM head and ITC projections, no language model (retrieval-config.ts)
 */
import { z } from 'zod';
import { GlanceError, ErrorCode } from '../errors.ts';
import { activation, checkHeads, invalidConfig, parsePart, positiveInt, type Activation } from './config-parts.ts';
import { resolveOptConfig, type OptConfig } from './opt-config.ts';
import { resolveT5Config, type T5Config } from './t5-config.ts';
import { resolveRetrievalConfig, type RetrievalBlip2Config } from './retrieval-config.ts';

export type { Activation } from './config-parts.ts';
export type { OptConfig } from './opt-config.ts';
export type { T5Config } from './t5-config.ts';
export type { QFormerTextConfig, RetrievalBlip2Config } from './retrieval-config.ts';

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

/** What every BLIP-2 family shares: the vision tower and the Q-Former with its learned queries. */
export interface Blip2Common {
  numQueryTokens: number;
  imageTokenIndex: number | undefined;
  vision: VisionConfig;
  qformer: QFormerConfig;
}

export interface OptBlip2Config extends Blip2Common {
  family: 'blip2-opt';
  text: OptConfig;
}

export interface T5Blip2Config extends Blip2Common {
  family: 'blip2-t5';
  text: T5Config;
}

export type Blip2Config = OptBlip2Config | T5Blip2Config | RetrievalBlip2Config;
export type ModelFamily = Blip2Config['family'];

const SUPPORTED = 'Blip2ForConditionalGeneration with text_config.model_type opt or t5, and Blip2ForImageTextRetrieval';

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

const topSchema = z.looseObject({
  model_type: z.string().optional(),
  architectures: z.array(z.string()).optional(),
  num_query_tokens: positiveInt.default(32),
  image_token_index: z.number().int().nonnegative().nullish(),
  vision_config: z.record(z.string(), z.unknown()).nullish(),
  qformer_config: z.record(z.string(), z.unknown()).nullish(),
  text_config: z.record(z.string(), z.unknown()).nullish(),
});

export type TopLevelConfig = z.infer<typeof topSchema>;

function unsupported(message: string): GlanceError {
  return new GlanceError(ErrorCode.CheckpointUnsupportedModel, `${message}; glance converts ${SUPPORTED}.`);
}

function resolveCommon(top: TopLevelConfig): Blip2Common {
  const v = parsePart(visionSchema, top.vision_config, 'vision_config');
  const q = parsePart(qformerSchema, top.qformer_config, 'qformer_config');
  if (v.image_size % v.patch_size !== 0) throw invalidConfig(`vision_config: image_size ${v.image_size} is not a multiple of patch_size ${v.patch_size}`);
  checkHeads(v.hidden_size, v.num_attention_heads, 'vision_config');
  checkHeads(q.hidden_size, q.num_attention_heads, 'qformer_config');
  return {
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
  };
}

/** Resolves a parsed config.json into the sizes the converter needs; throws coded errors naming what is wrong. */
export function resolveBlip2Config(json: unknown): Blip2Config {
  if (typeof json !== 'object' || json === null) throw invalidConfig('expected a JSON object');
  const top = parsePart(topSchema, json, 'config');
  if (top.model_type !== undefined && top.model_type !== 'blip-2') {
    throw unsupported(`model_type "${top.model_type}" is not supported (expected "blip-2")`);
  }
  const architecture = top.architectures?.[0] ?? 'Blip2ForConditionalGeneration';
  // The retrieval model has no language model: its text_config (an OPT stub in the published config) is ignored.
  if (architecture === 'Blip2ForImageTextRetrieval') return resolveRetrievalConfig(top, resolveCommon(top));
  if (architecture !== 'Blip2ForConditionalGeneration') {
    throw unsupported(`architecture "${architecture}" is not supported`);
  }
  const textType = String((top.text_config ?? {})['model_type'] ?? 'opt');
  if (textType === 't5') return { family: 'blip2-t5', ...resolveCommon(top), text: resolveT5Config(top.text_config) };
  if (textType !== 'opt') throw unsupported(`text_config.model_type "${textType}" is not supported`);
  const common = resolveCommon(top);
  return { family: 'blip2-opt', ...common, text: resolveOptConfig(top.text_config) };
}
