/**
 * BLIP-2 with T5 (Flan-T5): vision (ViT + Q-Former + projection to d_model), the T5 encoder (which also returns every
 * decoder layer's cross-attention keys/values), and the T5 decoder with a self-attention KV cache (t5-graphs.ts).
 */
import type { T5Blip2Config } from '../blip2-config.ts';
import { buildVisionGraph } from '../graphs/vision-graph.ts';
import { buildT5DecoderGraph, buildT5EncoderGraph } from '../graphs/t5-graphs.ts';
import { imageSideFacts } from './image-side-facts.ts';
import type { FamilyBuild } from './model-family.ts';

export function buildT5Family(config: T5Blip2Config): FamilyBuild {
  const t = config.text;
  return {
    graphs: [
      { key: 'vision', stem: 'vision', builder: buildVisionGraph(config, t.hiddenSize) },
      { key: 'encoder', stem: 'encoder', builder: buildT5EncoderGraph(config) },
      { key: 'decoder', stem: 'decoder_with_past', builder: buildT5DecoderGraph(config) },
    ],
    model: {
      architecture: 'blip2-t5',
      ...imageSideFacts(config),
      languageHiddenSize: t.hiddenSize,
      numEncoderLayers: t.numLayers,
      numDecoderLayers: t.numDecoderLayers,
      numHeads: t.numHeads,
      headDim: t.headDim,
      vocabSize: t.vocabSize,
      decoderStartTokenId: t.decoderStartTokenId,
      bosTokenId: t.bosTokenId,
      eosTokenIds: [t.eosTokenId],
      padTokenId: t.padTokenId,
      imageTokenIndex: config.imageTokenIndex ?? null,
    },
  };
}
