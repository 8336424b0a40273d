/** The names of every graph input and output of a bundle, in one place for the converter and the engine. */
export const VISION_GRAPH = {
  input: 'pixel_values',
  imageEmbeds: 'image_embeds',
  qformerOutput: 'qformer_output',
  queryEmbeds: 'query_embeds',
} as const;

export const OPT_GRAPHS = {
  inputIds: 'input_ids',
  inputsEmbeds: 'inputs_embeds',
  attentionMask: 'attention_mask',
  positionIds: 'position_ids',
  logits: 'logits',
  /** The cached positions' keys/values, sequence-major [past_sequence, batch, heads, headDim] (runtime/kv-cache.ts). */
  pastKey: (layer: number) => `past_key_values.${layer}.key`,
  pastValue: (layer: number) => `past_key_values.${layer}.value`,
  /** Only this run's positions' keys/values, [sequence, batch, heads, headDim]; the host appends them to its cache. */
  newKey: (layer: number) => `new_key_values.${layer}.key`,
  newValue: (layer: number) => `new_key_values.${layer}.value`,
} as const;

/** The retrieval family's graphs (blip2-itm): image features, text features, ITM head. See graphs/retrieval-graphs.ts. */
export const RETRIEVAL_GRAPHS = {
  pixelValues: 'pixel_values',
  /** the vision tower's last hidden state, the ITM graph's image input */
  visionHiddenState: 'vision_hidden_state',
  /** ITC: projected, L2-normalised query outputs [images, queries, embedDim] */
  imageEmbeds: 'image_embeds',
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  /** ITC: projected, L2-normalised [CLS] outputs [texts, embedDim] */
  textEmbeds: 'text_embeds',
  /** ITM: [pairs, 2], index 1 = match */
  itmLogits: 'itm_logits',
} as const;

/**
 * T5: the encoder graph reads the query embeddings and the prompt ids and returns the encoder output together with
 * every decoder layer's cross-attention keys/values (computed once per input); the decoder graph takes its self-attention
 * past under the same names as OPT's (so the same KvCache serves both) plus the cross keys/values and encoder mask.
 */
export const T5_GRAPHS = {
  queryEmbeds: 'query_embeds',
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  encoderHiddenStates: 'encoder_hidden_states',
  decoderInputIds: 'decoder_input_ids',
  encoderAttentionMask: 'encoder_attention_mask',
  logits: 'logits',
  crossKey: (layer: number) => `cross_attention.${layer}.key`,
  crossValue: (layer: number) => `cross_attention.${layer}.value`,
  pastKey: OPT_GRAPHS.pastKey,
  pastValue: OPT_GRAPHS.pastValue,
  newKey: OPT_GRAPHS.newKey,
  newValue: OPT_GRAPHS.newValue,
} as const;

/** The graph keys each family's bundle must have (manifest.graphs). */
export const REQUIRED_GRAPHS = {
  'blip2-opt': ['vision', 'embed', 'decoder'],
  'blip2-t5': ['vision', 'encoder', 'decoder'],
  'blip2-itm': ['image', 'text', 'itm'],
} as const satisfies Record<import('./manifest.ts').Architecture, readonly string[]>;
