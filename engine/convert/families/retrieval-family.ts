/** BLIP-2 image-text retrieval (Blip2ForImageTextRetrieval): image features, text features, ITM head. */
import type { RetrievalBlip2Config } from '../blip2-config.ts';
import { buildImageFeaturesGraph, buildItmGraph, buildTextFeaturesGraph } from '../graphs/retrieval-graphs.ts';
import { visionTokens } from '../graphs/vision-tower.ts';
import type { WeightFormat } from '../weight-format.ts';
import type { FamilyBuild } from './model-family.ts';

export function buildRetrievalFamily(config: RetrievalBlip2Config, _format: WeightFormat): FamilyBuild {
  return {
    graphs: [
      { key: 'image', stem: 'image_features', builder: buildImageFeaturesGraph(config) },
      { key: 'text', stem: 'text_features', builder: buildTextFeaturesGraph(config) },
      { key: 'itm', stem: 'itm', builder: buildItmGraph(config) },
    ],
    model: {
      architecture: 'blip2-itm',
      numQueryTokens: config.numQueryTokens,
      imageSize: config.vision.imageSize,
      visionHiddenSize: config.vision.hiddenSize,
      qformerHiddenSize: config.qformer.hiddenSize,
      visionTokens: visionTokens(config.vision),
      embedDim: config.embedDim,
      maxTextLength: config.text.maxPositionEmbeddings,
      vocabSize: config.text.vocabSize,
      padTokenId: config.text.padTokenId,
    },
  };
}
