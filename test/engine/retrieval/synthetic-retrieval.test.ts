/**
 * A retrieval checkpoint with sizes unlike the fixture (image 56, 8 queries, other widths and depths, three heads,
 * 12 text positions, 12-wide ITC embeddings), synthesized from the converter's own tensor list, converts and runs:
 * the image broadcast in the itm graph equals pairing it row by row, padding changes nothing, the reported
 * similarity is the ITC dot product, and the text length limit is the config's max_position_embeddings.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from '../../../engine/errors.ts';
import { RetrievalRuntime, itcSimilarity } from '../../../engine/runtime/retrieval-runtime.ts';
import { IMAGES, TINY_ITM } from '../../helpers/fixtures.ts';
import { useSyntheticModel } from '../../helpers/tiny-bundle.ts';

const CONFIG = {
  architectures: ['Blip2ForImageTextRetrieval'],
  model_type: 'blip-2',
  num_query_tokens: 8,
  image_text_hidden_size: 12,
  vision_config: { hidden_size: 24, intermediate_size: 40, num_hidden_layers: 2, num_attention_heads: 2, image_size: 56, patch_size: 14 },
  qformer_config: { hidden_size: 48, intermediate_size: 64, num_hidden_layers: 3, num_attention_heads: 3, cross_attention_frequency: 2, use_qformer_text_input: true, vocab_size: 811, max_position_embeddings: 12 },
  text_config: { model_type: 'opt' },
};
const TEXTS = ['a photo of a cat', 'a rocket', ''];

const synthetic = useSyntheticModel(CONFIG, TINY_ITM, { seed: 11 }, (dir, options) => RetrievalRuntime.open(dir, options));

describe('a retrieval checkpoint with other sizes', () => {
  it('records its sizes', () => {
    expect(synthetic().runtime.model).toMatchObject({ architecture: 'blip2-itm', imageSize: 56, numQueryTokens: 8, visionHiddenSize: 24, qformerHiddenSize: 48, visionTokens: 17, embedDim: 12, maxTextLength: 12, vocabSize: 811 });
    expect(synthetic().runtime.manifest.graphs.itm.inputs[0].dims).toEqual(['image_batch', 17, 24]);
  });

  it('matches: probabilities in (0, 1), similarity = the best ITC dot product, broadcast image = paired rows', async () => {
    const image = readFileSync(join(IMAGES, 'coffee.png'));
    const { image: features, results } = await synthetic().runtime.match(image, TEXTS);
    expect(features.imageEmbeds.length).toBe(8 * 12);
    expect(features.visionHidden.length).toBe(17 * 24);
    const embeds = await synthetic().runtime.embedTexts(TEXTS);
    results.forEach((result, i) => {
      expect(result.matchProbability).toBeGreaterThan(0);
      expect(result.matchProbability).toBeLessThan(1);
      expect(Math.abs(result.similarity - itcSimilarity(features.imageEmbeds, embeds[i].embedding, 8).similarity)).toBeLessThan(1e-6);
      expect(Math.abs(result.similarity)).toBeLessThanOrEqual(1 + 1e-6);
    });
    const rows = synthetic().runtime.tokenize(TEXTS);
    const paired = new Float32Array(rows.length * features.visionHidden.length);
    rows.forEach((_, i) => paired.set(features.visionHidden, i * features.visionHidden.length));
    const pairedLogits = await synthetic().runtime.itmLogits(paired, rows.length, rows);
    results.forEach((result, i) => {
      expect(Math.abs(result.itmLogits[0] - pairedLogits[2 * i])).toBeLessThan(1e-5);
      expect(Math.abs(result.itmLogits[1] - pairedLogits[2 * i + 1])).toBeLessThan(1e-5);
    });
    // each text alone (no padding) gives what it gave in the padded batch
    for (const [i, row] of rows.entries()) {
      const alone = await synthetic().runtime.itmLogits(features.visionHidden, 1, [row]);
      expect(Math.abs(alone[1] - results[i].itmLogits[1])).toBeLessThan(1e-5);
      const [embedded] = await synthetic().runtime.embedTexts([TEXTS[i]]);
      embedded.embedding.forEach((v, k) => expect(Math.abs(v - embeds[i].embedding[k])).toBeLessThan(1e-5));
    }
  });

  it('reads texts up to max_position_embeddings tokens and refuses longer ones', async () => {
    const words = (n: number) => Array.from({ length: n }, () => 'cat').join(' ');
    expect((await synthetic().runtime.embedTexts([words(10)]))[0].tokens).toBe(12);
    await expect(synthetic().runtime.embedTexts([words(11)])).rejects.toMatchObject({ code: ErrorCode.InvalidInput, message: expect.stringContaining('at most 12') });
  });
});
