/**
 * Reading the generative goldens: the image side, which prompt, which options, and which tokens are safe to compare
 * exactly.
 */
import { expect } from 'vitest';
import type { Blip2Runtime } from '../../../engine/runtime/blip2-runtime.ts';
import { parseImageProcessorConfig } from '../../../engine/preprocess/image-processor-config.ts';
import { preprocessImage } from '../../../engine/preprocess/preprocess.ts';
import { expectMatchesSummary, maxAbsDiff } from '../../helpers/summaries.ts';

export interface GoldenOutput {
  sequence: number[];
  text_stripped: string;
  greedy_score_margins?: number[];
}

/** Greedy steps that won by less than this may flip under another float summation order (fixtures README). */
export const LOW_MARGIN = 1e-3;

export function promptOf(setting: string, entry: { prompt?: string }, prompts: Record<string, { text: string }>): string {
  const key = entry.prompt ?? (setting.startsWith('vqa_what') ? 'vqa_what' : setting.startsWith('vqa_color') ? 'vqa_color' : undefined);
  return key ? prompts[key].text : '';
}

const KWARG_NAMES: Record<string, string> = {
  max_new_tokens: 'maxNewTokens',
  min_new_tokens: 'minNewTokens',
  num_beams: 'numBeams',
  repetition_penalty: 'repetitionPenalty',
  no_repeat_ngram_size: 'noRepeatNgramSize',
  eos_token_id: 'eosTokenId',
  length_penalty: 'lengthPenalty',
  early_stopping: 'earlyStopping',
};

/**
 * The engine options for a golden's transformers kwargs. Without max_new_tokens, Blip2's generate sets
 * max_length = 20 + 32 − 1, of which the 32 queries and the prompt are used up: 19 − prompt length new tokens.
 */
export function generationOptionsOf(kwargs: Record<string, unknown>, promptLength: number): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(kwargs)) {
    const name = KWARG_NAMES[key];
    if (!name) throw new Error(`golden kwarg ${key} has no engine option`);
    options[name] = value;
  }
  if (options['maxNewTokens'] === undefined) options['maxNewTokens'] = 19 - promptLength;
  return options;
}

/** The golden's new tokens without trailing padding, and how many of them are safe to compare exactly. */
export function expectedNewTokens(golden: GoldenOutput, padTokenId: number): { tokens: number[]; compared: number } {
  const tokens = golden.sequence.slice(1);
  while (tokens.length > 0 && tokens[tokens.length - 1] === padTokenId) tokens.pop();
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
