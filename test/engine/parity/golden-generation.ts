/**
 * Reading the generative goldens: the image side, which prompt, which options, and which tokens are safe to compare
 * exactly.
 */
import { expect } from 'vitest';
import type { Blip2Runtime } from '../../../engine/runtime/blip2-runtime.ts';
import { parseImageProcessorConfig } from '../../../engine/preprocess/image-processor-config.ts';
import { preprocessImage } from '../../../engine/preprocess/preprocess.ts';
import { expectMatchesSummary, maxAbsDiff } from '../../helpers/summaries.ts';
import { goldenNewTokens } from '../../../bench/golden-reading.ts';

export { generationOptionsOf, promptOf } from '../../../bench/golden-reading.ts';

export interface GoldenOutput {
  sequence: number[];
  text_stripped: string;
  greedy_score_margins?: number[];
}

/** Greedy steps that won by less than this may flip under another float summation order (fixtures README). */
export const LOW_MARGIN = 1e-3;

/** The golden's new tokens without trailing padding, and how many of them are safe to compare exactly. */
export function expectedNewTokens(golden: GoldenOutput, padTokenId: number): { tokens: number[]; compared: number } {
  const tokens = goldenNewTokens(golden.sequence, padTokenId);
  const margins = golden.greedy_score_margins ?? [];
  const firstLow = margins.findIndex((m) => m < LOW_MARGIN);
  return { tokens, compared: firstLow === -1 ? tokens.length : firstLow };
}

/**
 * The image side of a generative golden: pixel values within 1e-6, vision / Q-Former / projection outputs within
 * 1e-4 of their summaries, and encodeImages equal to encodePixels. Returns what the caller checks further.
 */
export async function expectImageSideMatches(runtime: Blip2Runtime, photoBytes: Uint8Array, golden: any): Promise<{ pixels: Float32Array; imageEmbeds: Float32Array; queryEmbeds: Float32Array }> {
  const [embedding] = await runtime.encodeImages([photoBytes]);
  const pixels = await preprocessImage(photoBytes, parseImageProcessorConfig(runtime.manifest.preprocessor));
  expectMatchesSummary(pixels.pixelValues, golden.pixel_values, 1e-6);
  const out = await runtime.encodePixels(pixels.pixelValues, 1);
  expectMatchesSummary(out.imageEmbeds, golden.vision_last_hidden_state, 1e-4);
  expectMatchesSummary(out.qformerOutput, golden.qformer_last_hidden_state, 1e-4);
  expectMatchesSummary(out.queryEmbeds[0], golden.language_projection, 1e-4);
  expect(maxAbsDiff(out.queryEmbeds[0], embedding.queryEmbeds)).toBe(0);
  return { pixels: pixels.pixelValues, imageEmbeds: out.imageEmbeds, queryEmbeds: embedding.queryEmbeds };
}
