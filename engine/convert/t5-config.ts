/**
 * The T5 language model part of a BLIP-2 config.json (text_config with model_type "t5", e.g. Salesforce/blip2-flan-t5-xl),
 * resolved with T5Config's transformers 4.45 defaults for every absent key.
 *
 * T5Config derives the feed-forward block from `feed_forward_proj` ("relu", "gated-gelu", "{ACT}" or "gated-{ACT}"):
 * dense_act_fn = the part after "gated-", is_gated_act = it starts with "gated", and "gated-gelu" means the tanh
 * approximation (gelu_new) for backwards compatibility. Keys that config.json spells out (`dense_act_fn`,
 * `is_gated_act`) are set after that derivation (PretrainedConfig applies its **kwargs last), so they win: the
 * BLIP-2 Flan-T5 conversion stores `dense_act_fn: "gelu"`, i.e. the EXACT erf GELU.
 */
import { z } from 'zod';
import { GlanceError, ErrorCode } from '../errors.ts';
import { invalidConfig, parsePart, positiveInt, type Activation } from './config-parts.ts';

export interface T5Config {
  modelType: 't5';
  vocabSize: number;
  /** d_model */
  hiddenSize: number;
  /** d_kv: the width of one attention head (heads × d_kv need not equal d_model). */
  headDim: number;
  numHeads: number;
  /** d_ff */
  ffnDim: number;
  numLayers: number;
  numDecoderLayers: number;
  relativeAttentionNumBuckets: number;
  relativeAttentionMaxDistance: number;
  layerNormEps: number;
  /** The FFN activation (ACT2FN[dense_act_fn]). */
  activation: Activation;
  /** true: wo(act(wi_0 x) · wi_1 x) (T5DenseGatedActDense); false: wo(act(wi x)) (T5DenseActDense). */
  gatedFfn: boolean;
  /** true: the lm_head is `shared` and the decoder output is scaled by d_model^-0.5 first; false (Flan-T5): a separate lm_head. */
  tieWordEmbeddings: boolean;
  /** Used by BLIP-2 when there is no prompt (input_ids = [[bos]]); T5Config leaves it unset. */
  bosTokenId: number | null;
  eosTokenId: number;
  padTokenId: number;
  decoderStartTokenId: number;
}

const tokenId = z.number().int().nonnegative();

const t5Schema = z.looseObject({
  model_type: z.literal('t5'),
  vocab_size: positiveInt.default(32128),
  d_model: positiveInt.default(512),
  d_kv: positiveInt.default(64),
  d_ff: positiveInt.default(2048),
  num_layers: positiveInt.default(6),
  num_decoder_layers: positiveInt.nullish(),
  num_heads: positiveInt.default(8),
  relative_attention_num_buckets: positiveInt.default(32),
  relative_attention_max_distance: positiveInt.default(128),
  layer_norm_epsilon: z.number().positive().default(1e-6),
  feed_forward_proj: z.string().default('relu'),
  dense_act_fn: z.string().optional(),
  is_gated_act: z.boolean().optional(),
  is_encoder_decoder: z.boolean().default(true),
  tie_word_embeddings: z.boolean().default(true),
  bos_token_id: tokenId.nullish(),
  eos_token_id: tokenId.default(1),
  pad_token_id: tokenId.default(0),
  decoder_start_token_id: tokenId.nullish(),
});

const SUPPORTED_ACTIVATIONS: readonly string[] = ['relu', 'gelu', 'gelu_new'] satisfies Activation[];

function unsupportedT5(what: string): GlanceError {
  return new GlanceError(
    ErrorCode.CheckpointUnsupportedModel,
    `this T5 variant is not supported (${what}); glance converts T5 language models with a relu, gelu or gelu_new feed-forward block, gated or not (Flan-T5: gated exact gelu).`,
  );
}

/** Resolves text_config of a BLIP-2 checkpoint whose language model is T5. */
export function resolveT5Config(textConfig: Record<string, unknown> | null | undefined): T5Config {
  const t = parsePart(t5Schema, { ...(textConfig ?? {}), model_type: 't5' }, 'text_config');
  const actInfo = t.feed_forward_proj.split('-');
  if ((actInfo.length > 1 && actInfo[0] !== 'gated') || actInfo.length > 2) {
    // T5Config raises a ValueError for these.
    throw invalidConfig(`text_config.feed_forward_proj: "${t.feed_forward_proj}" is not of the form "gated-{ACT_FN}" or "{ACT_FN}"`);
  }
  const derivedAct = t.feed_forward_proj === 'gated-gelu' ? 'gelu_new' : actInfo[actInfo.length - 1];
  const act = t.dense_act_fn ?? derivedAct;
  const gated = t.is_gated_act ?? actInfo[0] === 'gated';
  if (!SUPPORTED_ACTIVATIONS.includes(act)) throw unsupportedT5(`dense_act_fn "${act}"${t.dense_act_fn === undefined ? ` from feed_forward_proj "${t.feed_forward_proj}"` : ''}`);
  if (!t.is_encoder_decoder) throw unsupportedT5('is_encoder_decoder=false');
  // The encoder's bidirectional buckets use half of them, of which half are exact distances: at least one must be.
  if (t.relative_attention_num_buckets < 4 || t.relative_attention_max_distance <= Math.floor(t.relative_attention_num_buckets / 2)) {
    throw invalidConfig(`text_config: relative_attention_num_buckets ${t.relative_attention_num_buckets} with relative_attention_max_distance ${t.relative_attention_max_distance} gives no valid relative position buckets`);
  }
  const decoderStart = t.decoder_start_token_id ?? t.bos_token_id;
  if (decoderStart == null) {
    throw invalidConfig('text_config: neither decoder_start_token_id nor bos_token_id is set, so T5 generation has no decoder start token');
  }
  return {
    modelType: 't5',
    vocabSize: t.vocab_size,
    hiddenSize: t.d_model,
    headDim: t.d_kv,
    numHeads: t.num_heads,
    ffnDim: t.d_ff,
    numLayers: t.num_layers,
    numDecoderLayers: t.num_decoder_layers ?? t.num_layers,
    relativeAttentionNumBuckets: t.relative_attention_num_buckets,
    relativeAttentionMaxDistance: t.relative_attention_max_distance,
    layerNormEps: t.layer_norm_epsilon,
    activation: act as Activation,
    gatedFfn: gated,
    tieWordEmbeddings: t.tie_word_embeddings,
    bosTokenId: t.bos_token_id ?? null,
    eosTokenId: t.eos_token_id,
    padTokenId: t.pad_token_id,
    decoderStartTokenId: decoderStart,
  };
}
