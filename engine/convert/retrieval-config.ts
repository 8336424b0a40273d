/**
 * The image-text retrieval family (`Blip2ForImageTextRetrieval`, e.g. Salesforce/blip2-itm-vit-g): the vision tower
 * and Q-Former every BLIP-2 has, plus the Q-Former's own text side (BERT word + absolute position embeddings, the
 * text FFN `intermediate`/`output` in every layer), the ITM head and the two ITC projections. There is no language
 * model: the checkpoint's `text_config` (an OPT stub in the published config) is ignored, as transformers ignores it
 * for this architecture.
 *
 * Absent keys take the transformers 4.45 defaults of Blip2QFormerConfig (vocab_size 30522, max_position_embeddings
 * 512, pad_token_id 0, position_embedding_type "absolute") and Blip2Config (image_text_hidden_size 256).
 */
import { z } from 'zod';
import { GlanceError, ErrorCode } from '../errors.ts';
import type { Blip2Common } from './blip2-config.ts';
import { invalidConfig, parsePart, positiveInt } from './config-parts.ts';

/** The Q-Former's text input (Blip2TextEmbeddings). */
export interface QFormerTextConfig {
  vocabSize: number;
  /** Learned absolute positions: the longest text (special tokens included) the model reads. */
  maxPositionEmbeddings: number;
  padTokenId: number;
}

export interface RetrievalBlip2Config extends Blip2Common {
  family: 'blip2-itm';
  text: QFormerTextConfig;
  /** image_text_hidden_size: the width of the ITC embeddings (vision_projection / text_projection outputs). */
  embedDim: number;
}

const qformerTextSchema = z.looseObject({
  vocab_size: positiveInt.default(30522),
  max_position_embeddings: positiveInt.default(512),
  pad_token_id: z.number().int().nonnegative().default(0),
  position_embedding_type: z.string().default('absolute'),
  use_qformer_text_input: z.boolean().default(false),
});

const retrievalTopSchema = z.looseObject({
  image_text_hidden_size: positiveInt.default(256),
});

/** `top` is the parsed top level of config.json, `common` its resolved vision/Q-Former part. */
export function resolveRetrievalConfig(top: Record<string, unknown>, common: Blip2Common): RetrievalBlip2Config {
  const t = parsePart(qformerTextSchema, top['qformer_config'], 'qformer_config');
  const r = parsePart(retrievalTopSchema, top, 'config');
  if (t.position_embedding_type !== 'absolute') {
    throw new GlanceError(
      ErrorCode.CheckpointUnsupportedModel,
      `qformer_config.position_embedding_type "${t.position_embedding_type}" is not supported; BLIP-2 retrieval models use "absolute".`,
    );
  }
  if (!t.use_qformer_text_input) {
    throw invalidConfig('Blip2ForImageTextRetrieval needs qformer_config.use_qformer_text_input true (without it the Q-Former has no text layers)');
  }
  if (t.pad_token_id >= t.vocab_size) throw invalidConfig(`qformer_config.pad_token_id ${t.pad_token_id} is not below vocab_size ${t.vocab_size}`);
  return {
    family: 'blip2-itm',
    ...common,
    text: { vocabSize: t.vocab_size, maxPositionEmbeddings: t.max_position_embeddings, padTokenId: t.pad_token_id },
    embedDim: r.image_text_hidden_size,
  };
}
