/** BLIP-2 image-text retrieval (Blip2ForImageTextRetrieval): image features, text features, ITM head. */
import type { RetrievalBlip2Config } from '../blip2-config.ts';
import { buildImageFeaturesGraph, buildItmGraph, buildTextFeaturesGraph } from '../graphs/retrieval-graphs.ts';
import { visionTokens } from '../graphs/vision-tower.ts';
import { imageSideFacts } from './image-side-facts.ts';
import type { FamilyBuild } from './model-family.ts';

export function buildRetrievalFamily(config: RetrievalBlip2Config): FamilyBuild {
  return {
    graphs: [
      { key: 'image', stem: 'image_features', builder: buildImageFeaturesGraph(config) },
      { key: 'text', stem: 'text_features', builder: buildTextFeaturesGraph(config) },
      { key: 'itm', stem: 'itm', builder: buildItmGraph(config) },
    ],
    model: {
      architecture: 'blip2-itm',
      ...imageSideFacts(config),
      visionTokens: visionTokens(config.vision),
      embedDim: config.embedDim,
      maxTextLength: config.text.maxPositionEmbeddings,
      vocabSize: config.text.vocabSize,
      padTokenId: config.text.padTokenId,
    },
  };
}
