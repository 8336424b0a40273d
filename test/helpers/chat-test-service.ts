/**
 * What the chat adapters' tests (Discord, Slack) share: a service configuration with small, test-friendly limits
 * (1 Mpixel, 1 MB images, 500-character questions, a generous per-user rate, up to 2000 new tokens so tests can hold a
 * request running) and the real service on the tiny OPT
 * bundle, started once per test file; the photos and transformers' golden texts the tests expect.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { loadServiceConfig, type ServiceConfig } from '../../src/config/service-config.ts';
import { GlanceService } from '../../src/service/glance-service.ts';
import { IMAGES, TEST_PROVIDER, TINY_OPT, readJson } from './fixtures.ts';
import { convertTinyOpt, type TinyBundle } from './tiny-bundle.ts';

const goldens = readJson(join(TINY_OPT, 'goldens.json'));
/** transformers' greedy caption of astronaut.png (max_new_tokens 20: the start of the service's default 30-token caption). */
export const GOLDEN_CAPTION: string = goldens.images['astronaut.png'].generate.caption_greedy.outputs[0].text_stripped;
/** transformers' greedy caption of chelsea.png (max_new_tokens 20). */
export const GOLDEN_CHELSEA_CAPTION: string = goldens.images['chelsea.png'].generate.caption_greedy.outputs[0].text_stripped;
/** transformers' greedy answer (max_new_tokens 20) to the vqa_what prompt about astronaut.png. */
export const GOLDEN_ANSWER: string = goldens.images['astronaut.png'].generate.vqa_what_greedy.outputs[0].text_stripped;
/** The prompt token ids transformers' processor makes for the VQA question (BOS + `Question: … Answer:`) and for a caption (BOS alone). */
export const GOLDEN_VQA_PROMPT_IDS: number[] = goldens.prompts.vqa_what.input_ids;
export const GOLDEN_CAPTION_PROMPT_IDS: number[] = goldens.images['astronaut.png'].first_step_logits.caption_bos_only.input_ids;
/** The question inside goldens.prompts.vqa_what ("Question: what is in the picture? Answer:"). */
export const QUESTION: string = /^Question: (.*) Answer:$/.exec(goldens.prompts.vqa_what.text)![1];
export const ASTRONAUT = readFileSync(join(IMAGES, 'astronaut.png'));
export const CHELSEA = readFileSync(join(IMAGES, 'chelsea.png'));

export function testConfig(overrides: Record<string, string>): ServiceConfig {
  return loadServiceConfig({
    env: {},
    envFile: false,
    overrides: { GLANCE_MAX_PIXELS: '1000000', GLANCE_USER_REQUESTS_PER_MINUTE: '1000', GLANCE_MAX_NEW_TOKENS: '2000', GLANCE_MAX_QUESTION_CHARS: '500', GLANCE_MAX_IMAGE_MB: '1', ...overrides },
  });
}

/** beforeAll/afterAll: the real service on the tiny OPT bundle, one per test file; the getter gives it in tests. */
export function useTinyService(overrides: Record<string, string> = {}): () => GlanceService {
  let bundle: TinyBundle | undefined;
  let service: GlanceService | undefined;
  beforeAll(async () => {
    bundle = await convertTinyOpt();
    const config = testConfig(overrides);
    service = await GlanceService.start({
      bundleDir: bundle.dir, modelId: 'tiny-opt', provider: TEST_PROVIDER, threads: 1, maxPixels: config.limits.maxPixels, cache: config.cache, queue: config.queue,
      generationLimits: { maxBeams: config.limits.maxBeams, maxNewTokens: config.limits.maxNewTokens },
    });
  });
  afterAll(async () => {
    await service?.close();
    bundle?.cleanup();
  });
  return () => {
    if (!service) throw new Error('the service starts in beforeAll');
    return service;
  };
}
