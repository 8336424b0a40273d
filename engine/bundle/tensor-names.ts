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
  pastKey: (layer: number) => `past_key_values.${layer}.key`,
  pastValue: (layer: number) => `past_key_values.${layer}.value`,
  presentKey: (layer: number) => `present.${layer}.key`,
  presentValue: (layer: number) => `present.${layer}.value`,
} as const;

/** The graph keys each family's bundle must have (manifest.graphs). */
export const REQUIRED_GRAPHS = {
  'blip2-opt': ['vision', 'embed', 'decoder'],
} as const satisfies Record<import('./manifest.ts').Architecture, readonly string[]>;
