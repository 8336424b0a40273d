/**
 * The OPT language model part of a BLIP-2 config.json (text_config with model_type "opt"), resolved with OPTConfig's
 * transformers 4.45 defaults for every absent key.
 */
import { z } from 'zod';
import { GlanceError, ErrorCode } from '../errors.ts';
import { activation, checkHeads, parsePart, positiveInt, type Activation } from './config-parts.ts';

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


/** Resolves text_config of a BLIP-2 checkpoint whose language model is OPT. */
export function resolveOptConfig(textConfig: Record<string, unknown> | null | undefined): OptConfig {
  const t = parsePart(optSchema, { model_type: 'opt', ...(textConfig ?? {}) }, 'text_config');
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
  };
}
