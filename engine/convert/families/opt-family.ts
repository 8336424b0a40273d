/** BLIP-2 with OPT: vision (ViT + Q-Former + projection), token embeddings, decoder with past. */
import type { OptBlip2Config } from '../blip2-config.ts';
import { buildVisionGraph } from '../graphs/vision-graph.ts';
import { buildOptDecoderGraph, buildOptEmbeddingGraph } from '../graphs/opt-graphs.ts';
import { imageSideFacts } from './image-side-facts.ts';
import type { FamilyBuild } from './model-family.ts';

export function buildOptFamily(config: OptBlip2Config): FamilyBuild {
  const t = config.text;
  return {
    graphs: [
      { key: 'vision', stem: 'vision', builder: buildVisionGraph(config, t.hiddenSize) },
      { key: 'embed', stem: 'embed_tokens', builder: buildOptEmbeddingGraph(config) },
      { key: 'decoder', stem: 'decoder_with_past', builder: buildOptDecoderGraph(config) },
    ],
    model: {
      architecture: 'blip2-opt',
      ...imageSideFacts(config),
      languageHiddenSize: t.hiddenSize,
      numLayers: t.numLayers,
      numHeads: t.numHeads,
      headDim: t.hiddenSize / t.numHeads,
      vocabSize: t.vocabSize,
      maxPositions: t.maxPositionEmbeddings,
      bosTokenId: t.bosTokenId,
      eosTokenIds: [t.eosTokenId],
      padTokenId: t.padTokenId,
      imageTokenIndex: config.imageTokenIndex ?? null,
    },
  };
}
