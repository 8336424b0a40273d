/**
 * A checkpoint with sizes unlike the fixtures (image 112 with 16-pixel patches, other widths, depths, head counts,
 * query count, cross-attention in every layer), stored as float16 in shards, must convert without code changes, and
 * decoding with the KV cache must agree with decoding that recomputes the whole sequence every step.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Blip2Runtime } from '../../../engine/runtime/blip2-runtime.ts';
import { IMAGES, TINY_OPT } from '../../helpers/fixtures.ts';
import { useSyntheticModel } from '../../helpers/tiny-bundle.ts';
import { maxAbsDiff } from '../../helpers/summaries.ts';

const CONFIG = {
  architectures: ['Blip2ForConditionalGeneration'],
  model_type: 'blip-2',
  num_query_tokens: 8,
  vision_config: { hidden_size: 48, intermediate_size: 80, num_hidden_layers: 3, num_attention_heads: 6, image_size: 112, patch_size: 16, layer_norm_eps: 1e-5 },
  qformer_config: { hidden_size: 40, intermediate_size: 72, num_hidden_layers: 3, num_attention_heads: 5, cross_attention_frequency: 1 },
  text_config: { model_type: 'opt', hidden_size: 48, ffn_dim: 96, num_hidden_layers: 3, num_attention_heads: 3, eos_token_id: 202, vocab_size: 50272 },
};

const synthetic = useSyntheticModel(CONFIG, TINY_OPT, { dtype: 'F16', maxShardBytes: 2_000_000, seed: 7 }, (dir, options) => Blip2Runtime.open(dir, options));

const argmax = (logits: Float32Array, row: number, vocab: number) => {
  let best = row * vocab;
  for (let i = row * vocab; i < (row + 1) * vocab; i++) if (logits[i] > logits[best]) best = i;
  return best - row * vocab;
};

describe('a checkpoint with other sizes', () => {
  it('converts from sharded float16 safetensors and records its sizes', () => {
    expect(synthetic().shards.length).toBeGreaterThan(1);
    expect(synthetic().runtime.manifest.model).toMatchObject({ imageSize: 112, numQueryTokens: 8, visionHiddenSize: 48, qformerHiddenSize: 40, languageHiddenSize: 48, numLayers: 3, numHeads: 3, headDim: 16 });
    expect(synthetic().runtime.manifest.graphs.vision.inputs[0].dims).toEqual(['batch', 3, 112, 112]);
  });

  it('cached decoding equals recomputing the whole sequence at every step', async () => {
    const [image] = await synthetic().runtime.encodeImages([readFileSync(join(IMAGES, 'coffee.png'))]);
    expect(image.queryEmbeds.length).toBe(8 * 48);
    const vocab = synthetic().runtime.manifest.model.vocabSize;
    const prompt = synthetic().runtime.tokenizer.encode('a photo of').ids;
    const cached = synthetic().runtime.decoderSessionForIds([{ queryEmbeds: image.queryEmbeds, promptIds: prompt }]);
    let logits = await cached.prefill();
    const generated: number[] = [];
    for (let step = 0; step < 8; step++) {
      const uncached = await synthetic().runtime.decoderSessionForIds([{ queryEmbeds: image.queryEmbeds, promptIds: [...prompt, ...generated] }]).prefill();
      expect(maxAbsDiff(logits, uncached), `step ${step}`).toBeLessThan(1e-4);
      const token = argmax(logits, 0, vocab);
      expect(argmax(uncached, 0, vocab)).toBe(token);
      generated.push(token);
      logits = await cached.step(Int32Array.of(token));
    }
  });

  it('batched rows with left padding equal the same rows run alone', async () => {
    const images = await synthetic().runtime.encodeImages([readFileSync(join(IMAGES, 'astronaut.png')), readFileSync(join(IMAGES, 'rocket.jpg'))]);
    const items = [
      { queryEmbeds: images[0].queryEmbeds, prompt: 'Question: what is in the picture? Answer:' },
      { queryEmbeds: images[1].queryEmbeds, prompt: '' },
    ];
    const options = { maxNewTokens: 8, minNewTokens: 8 };
    const batch = await synthetic().runtime.generate(items, options);
    for (const [row, item] of items.entries()) {
      const [alone] = await synthetic().runtime.generate([item], options);
      expect(batch[row].sequence).toEqual(alone.sequence);
    }
  });
});
