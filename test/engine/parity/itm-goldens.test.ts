/**
 * Parity with transformers' Blip2ForImageTextRetrieval on the tiny ITM fixture (goldens.json → semantics): tokenizer
 * cases, the ITM head for every (image, text) pair run alone and for the batched diagonal, the ITC similarity matrix,
 * and the image_embeds / text_embeds summaries. Also checks that `match` (one image, several padded texts, the image
 * broadcast in the itm graph) gives the same numbers as the pairs run alone.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMAGES, TINY_ITM, readJson } from '../../helpers/fixtures.ts';
import { useTinyItmRuntime } from '../../helpers/tiny-bundle.ts';
import { expectMatchesSummary } from '../../helpers/summaries.ts';
import { itcSimilarity, matchProbability, type ImageFeatures } from '../../../engine/runtime/retrieval-runtime.ts';

const goldens = readJson(join(TINY_ITM, 'goldens.json'));
const images: string[] = goldens.images;
const texts: string[] = goldens.texts.texts;
const runtime = useTinyItmRuntime();
const TOLERANCE = 1e-5;

let featuresCache: ImageFeatures[] | undefined;
async function features(): Promise<ImageFeatures[]> {
  featuresCache ??= await runtime().encodeImages(images.map((image) => readFileSync(join(IMAGES, image))));
  return featuresCache;
}

const unpadded = (row: number[], mask: number[]) => row.slice(0, mask.reduce((a, b) => a + b, 0));

describe('tokenizer (BERT WordPiece)', () => {
  const cases: { text: string; input_ids: number[]; decoded_skip_special: string }[] = goldens.tokenizer_cases;
  it.each(cases)('$text', (c) => {
    expect(runtime().tokenizer.encode(c.text).ids).toEqual(c.input_ids);
    expect(runtime().tokenizer.decode(c.input_ids, { skipSpecialTokens: true })).toBe(c.decoded_skip_special);
  });

  it('the golden texts tokenize to the golden (unpadded) ids', () => {
    expect(runtime().tokenize(texts)).toEqual(goldens.texts.input_ids.map((row: number[], i: number) => unpadded(row, goldens.texts.attention_mask[i])));
  });
});

describe('ITM head', () => {
  const pairs = images.flatMap((image) => texts.map((text) => [image, text] as const));
  it.each(pairs)('%s | %s (batch 1): logits and match probability within 1e-5', async (image, text) => {
    const golden = goldens.itm_pairs_batch1[`${image}|${text}`];
    const feature = (await features())[images.indexOf(image)];
    const logits = await runtime().itmLogits(feature.visionHidden, 1, runtime().tokenize([text]));
    expect(Math.abs(logits[0] - golden.logits[0])).toBeLessThan(TOLERANCE);
    expect(Math.abs(logits[1] - golden.logits[1])).toBeLessThan(TOLERANCE);
    expect(Math.abs(matchProbability([logits[0], logits[1]]) - golden.prob_match)).toBeLessThan(TOLERANCE);
  });

  it('the batched diagonal (image i with text i, right-padded) matches within 1e-5', async () => {
    const diagonal = goldens.itm_batched_diagonal;
    const rows = diagonal.pairs.map((pair: string) => runtime().tokenize([pair.split('|')[1]])[0]);
    const vision = (await features()).map((f) => f.visionHidden);
    const stacked = new Float32Array(vision.reduce((n, v) => n + v.length, 0));
    vision.forEach((v, i) => stacked.set(v, i * v.length));
    const logits = await runtime().itmLogits(stacked, vision.length, rows);
    diagonal.logits.flat().forEach((expected: number, i: number) => expect(Math.abs(logits[i] - expected), `logit ${i}`).toBeLessThan(TOLERANCE));
  });

  it('match() (one image against padded texts) gives the batch-1 numbers', async () => {
    const feature = (await features())[0];
    const results = await runtime().matchFeatures(feature, texts);
    results.forEach((result, t) => {
      const golden = goldens.itm_pairs_batch1[`${images[0]}|${texts[t]}`];
      expect(result.text).toBe(texts[t]);
      expect(Math.abs(result.matchProbability - golden.prob_match)).toBeLessThan(TOLERANCE);
      expect(Math.abs(result.itmLogits[1] - golden.logits[1])).toBeLessThan(TOLERANCE);
      expect(Math.abs(result.similarity - goldens.itc.logits_per_image[0][t])).toBeLessThan(TOLERANCE);
    });
  });
});

describe('ITC', () => {
  it('image_embeds [4, 32, 16] match the summary within 1e-5 and every query row is unit length', async () => {
    const all = await features();
    const stacked = new Float32Array(all.length * all[0].imageEmbeds.length);
    all.forEach((f, i) => stacked.set(f.imageEmbeds, i * f.imageEmbeds.length));
    expectMatchesSummary(stacked, goldens.itc.image_embeds, TOLERANCE);
    for (let row = 0; row < stacked.length / 16; row++) {
      const norm = Math.hypot(...stacked.subarray(row * 16, (row + 1) * 16));
      expect(Math.abs(norm - 1)).toBeLessThan(1e-5);
    }
  });

  it('text_embeds [4, 16] (the padded batch) match the summary within 1e-5', async () => {
    const embeds = await runtime().embedTexts(texts);
    const stacked = new Float32Array(embeds.length * 16);
    embeds.forEach((e, i) => stacked.set(e.embedding, i * 16));
    expectMatchesSummary(stacked, goldens.itc.text_embeds, TOLERANCE);
  });

  it('the similarity matrix (max over queries of the cosine) matches logits_per_image within 1e-5, all 16 entries', async () => {
    const all = await features();
    const embeds = await runtime().embedTexts(texts);
    images.forEach((_, n) =>
      texts.forEach((_, t) => {
        const { similarity } = itcSimilarity(all[n].imageEmbeds, embeds[t].embedding, runtime().model.numQueryTokens);
        expect(Math.abs(similarity - goldens.itc.logits_per_image[n][t]), `[${n}][${t}]`).toBeLessThan(TOLERANCE);
        expect(goldens.itc.logits_per_text[t][n]).toBe(goldens.itc.logits_per_image[n][t]);
      }),
    );
  });

  it('a text embeds the same alone as in a padded batch', async () => {
    const [alone] = await runtime().embedTexts([texts[0]]);
    const batch = await runtime().embedTexts(texts);
    alone.embedding.forEach((v, k) => expect(Math.abs(v - batch[0].embedding[k])).toBeLessThan(1e-6));
  });
});
