import type { Blip2Common } from '../blip2-config.ts';

/** The manifest facts every family records about its image side. */
export function imageSideFacts(config: Blip2Common): { numQueryTokens: number; imageSize: number; visionHiddenSize: number; qformerHiddenSize: number } {
  return { numQueryTokens: config.numQueryTokens, imageSize: config.vision.imageSize, visionHiddenSize: config.vision.hiddenSize, qformerHiddenSize: config.qformer.hiddenSize };
}
