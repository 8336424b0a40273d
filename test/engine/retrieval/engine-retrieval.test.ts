/**
 * The Engine (worker thread) on a retrieval bundle: match and embed give the transformers numbers, and every kind of
 * bad input is a coded error — generation on a retrieval bundle and matching on a generative one
 * (MODEL_KIND_MISMATCH), an empty text list or a text longer than the Q-Former reads (INVALID_INPUT), unreadable
 * images (the IMAGE_* codes). An empty text is valid: transformers encodes it as [CLS] [SEP].
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../../engine/engine.ts';
import { ErrorCode } from '../../../engine/errors.ts';
import { Blip2Runtime } from '../../../engine/runtime/blip2-runtime.ts';
import { RetrievalRuntime } from '../../../engine/runtime/retrieval-runtime.ts';
import { IMAGES, TINY_ITM, readJson } from '../../helpers/fixtures.ts';
import { convertTinyOpt } from '../../helpers/tiny-bundle.ts';
import { convertTinyItm } from '../../helpers/tiny-bundle.ts';

const goldens = readJson(join(TINY_ITM, 'goldens.json'));
const texts: string[] = goldens.texts.texts;
const photo = (name: string) => readFileSync(join(IMAGES, name));
let itm: Engine;
let opt: Engine;
let optDir: string;
let itmDir: string;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  const [itmBundle, optBundle] = await Promise.all([convertTinyItm(), convertTinyOpt()]);
  cleanups.push(itmBundle.cleanup, optBundle.cleanup);
  optDir = optBundle.dir;
  itmDir = itmBundle.dir;
  [itm, opt] = await Promise.all([
    Engine.open({ bundleDir: itmBundle.dir, threads: 1 }),
    Engine.open({ bundleDir: optBundle.dir, threads: 1 }),
  ]);
});

afterAll(async () => {
  await Promise.all([itm?.close(), opt?.close()]);
  for (const cleanup of cleanups) cleanup();
});

describe('Engine on a retrieval bundle', () => {
  it('knows its kind', () => {
    expect(itm.kind).toBe('retrieval');
    expect(opt.kind).toBe('generative');
  });

  it('match gives the golden ITM probability and ITC similarity per text, in order', async () => {
    const results = await itm.match(photo('rocket.jpg'), texts);
    expect(results.map((r) => r.text)).toEqual(texts);
    results.forEach((result, t) => {
      expect(Math.abs(result.matchProbability - goldens.itm_pairs_batch1[`rocket.jpg|${texts[t]}`].prob_match)).toBeLessThan(1e-5);
      expect(Math.abs(result.similarity - goldens.itc.logits_per_image[3][t])).toBeLessThan(1e-5);
    });
  });

  it('embedImages and embedTexts return normalised ITC embeddings whose best dot product is the similarity', async () => {
    const [image] = await itm.embedImages([photo('chelsea.png')]);
    const embeds = await itm.embedTexts(texts);
    expect(image.imageEmbeds).toBeInstanceOf(Float32Array);
    expect(image.imageEmbeds.length).toBe(32 * 16);
    expect(embeds.map((e) => e.embedding.length)).toEqual([16, 16, 16, 16]);
    expect(Math.abs(Math.hypot(...embeds[0].embedding) - 1)).toBeLessThan(1e-5);
    let best = -Infinity;
    for (let q = 0; q < 32; q++) best = Math.max(best, embeds[2].embedding.reduce((sum, v, k) => sum + v * image.imageEmbeds[q * 16 + k], 0));
    expect(Math.abs(best - goldens.itc.logits_per_image[1][2])).toBeLessThan(1e-5);
  });

  it('an empty text is valid ([CLS] [SEP], as transformers encodes it)', async () => {
    const [result] = await itm.match(photo('coffee.png'), ['']);
    expect(result.tokens).toBe(2);
    expect(result.matchProbability).toBeGreaterThan(0);
    expect(result.matchProbability).toBeLessThan(1);
    const [embedded] = await itm.embedTexts(['']);
    expect(embedded.tokens).toBe(2);
  });

  it('refuses an empty text list with INVALID_INPUT', async () => {
    await expect(itm.match(photo('coffee.png'), [])).rejects.toMatchObject({ code: ErrorCode.InvalidInput, message: expect.stringContaining('at least one text') });
    await expect(itm.embedTexts([])).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
  });

  it('refuses a text longer than the Q-Former positions with INVALID_INPUT naming the limit (no silent truncation)', async () => {
    const long = Array.from({ length: 520 }, () => 'cat').join(' ');
    await expect(itm.match(photo('coffee.png'), ['a cat', long])).rejects.toMatchObject({ code: ErrorCode.InvalidInput, message: expect.stringMatching(/text 1 .*522 tokens.*at most 512/) });
    await expect(itm.embedTexts([long])).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    const fits = Array.from({ length: 510 }, () => 'cat').join(' ');
    const [result] = await itm.embedTexts([fits]);
    expect(result.tokens).toBe(512);
  });

  it('refuses unreadable images with the image codes', async () => {
    await expect(itm.match(new Uint8Array(0), ['a cat'])).rejects.toMatchObject({ code: ErrorCode.ImageEmpty });
    await expect(itm.match(new TextEncoder().encode('not an image'), ['a cat'])).rejects.toMatchObject({ code: ErrorCode.ImageUnsupported });
    await expect(itm.embedImages([photo('chelsea.png').subarray(0, 200)])).rejects.toMatchObject({ code: expect.stringMatching(/IMAGE_CORRUPT|IMAGE_UNSUPPORTED/) });
  });

  it('refuses caption/ask requests (generate, encodeImages) with MODEL_KIND_MISMATCH', async () => {
    await expect(itm.encodeImages([photo('chelsea.png')])).rejects.toMatchObject({ code: ErrorCode.ModelKindMismatch, message: expect.stringContaining('does not generate text') });
    await expect(itm.generate([{ queryEmbeds: new Float32Array(32 * 32), prompt: '' }])).rejects.toMatchObject({ code: ErrorCode.ModelKindMismatch });
    // the engine still works afterwards
    expect(await itm.embedTexts(['a cat'])).toHaveLength(1);
  });

  it('Blip2Runtime refuses to open it', async () => {
    await expect(Blip2Runtime.open(itmDir, { provider: 'cpu', threads: 1 })).rejects.toMatchObject({ code: ErrorCode.ModelKindMismatch, message: expect.stringContaining('cannot generate text') });
  });
});

describe('Engine on a generative bundle', () => {
  it('refuses match and embed with MODEL_KIND_MISMATCH', async () => {
    await expect(opt.match(photo('chelsea.png'), ['a cat'])).rejects.toMatchObject({ code: ErrorCode.ModelKindMismatch, message: expect.stringContaining('Blip2ForImageTextRetrieval') });
    await expect(opt.embedImages([photo('chelsea.png')])).rejects.toMatchObject({ code: ErrorCode.ModelKindMismatch });
    await expect(opt.embedTexts(['a cat'])).rejects.toMatchObject({ code: ErrorCode.ModelKindMismatch });
  });

  it('RetrievalRuntime refuses to open it', async () => {
    await expect(RetrievalRuntime.open(optDir, { provider: 'cpu', threads: 1 })).rejects.toMatchObject({ code: ErrorCode.ModelKindMismatch });
  });
});
