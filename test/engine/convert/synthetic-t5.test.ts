/**
 * A BLIP-2 + T5 checkpoint with sizes unlike the fixture (heads × d_kv ≠ d_model, fewer decoder than encoder layers,
 * plain relu FFN, tied embeddings with the d_model^-½ rescale, few relative buckets with a short max distance so the
 * log-spaced and clipped buckets are reached within a few tokens), stored as float16 in shards, must convert without
 * code changes; decoding with the KV cache must agree with recomputing the whole decoder sequence, and batched rows
 * (right-padded prompts of different lengths) must equal the same rows run alone.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Blip2Runtime } from '../../../engine/runtime/blip2-runtime.ts';
import { IMAGES, TINY_T5 } from '../../helpers/fixtures.ts';
import { useSyntheticModel } from '../../helpers/tiny-bundle.ts';
import { maxAbsDiff } from '../../helpers/summaries.ts';

const CONFIG = {
  architectures: ['Blip2ForConditionalGeneration'],
  model_type: 'blip-2',
  num_query_tokens: 8,
  use_decoder_only_language_model: false,
  vision_config: { hidden_size: 48, intermediate_size: 80, num_hidden_layers: 2, num_attention_heads: 6, image_size: 112, patch_size: 16 },
  qformer_config: { hidden_size: 40, intermediate_size: 72, num_hidden_layers: 2, num_attention_heads: 5, cross_attention_frequency: 1 },
  text_config: {
    model_type: 't5',
    vocab_size: 2176,
    d_model: 40,
    d_kv: 12,
    num_heads: 3,
    d_ff: 56,
    num_layers: 3,
    num_decoder_layers: 2,
    relative_attention_num_buckets: 16,
    relative_attention_max_distance: 10,
    feed_forward_proj: 'relu',
    tie_word_embeddings: true,
    decoder_start_token_id: 0,
    bos_token_id: 1,
    eos_token_id: 1,
    pad_token_id: 0,
  },
};

const synthetic = useSyntheticModel(CONFIG, TINY_T5, { dtype: 'F16', maxShardBytes: 200_000, seed: 11 }, (dir, options) => Blip2Runtime.open(dir, options));

const argmax = (logits: Float32Array) => logits.indexOf(Math.max(...logits));

describe('a T5 checkpoint with other sizes', () => {
  it('converts from sharded float16 safetensors and records its sizes', () => {
    expect(synthetic().shards.length).toBeGreaterThan(1);
    expect(synthetic().runtime.manifest.model).toMatchObject({ architecture: 'blip2-t5', imageSize: 112, numQueryTokens: 8, languageHiddenSize: 40, numEncoderLayers: 3, numDecoderLayers: 2, numHeads: 3, headDim: 12, decoderStartTokenId: 0 });
    expect(Object.keys(synthetic().runtime.manifest.graphs).sort()).toEqual(['decoder', 'encoder', 'vision']);
  });

  it('cached decoding equals recomputing the whole decoder sequence at every step', async () => {
    const [image] = await synthetic().runtime.encodeImages([readFileSync(join(IMAGES, 'coffee.png'))]);
    expect(image.queryEmbeds.length).toBe(8 * 40);
    const row = { queryEmbeds: image.queryEmbeds, promptIds: synthetic().runtime.promptIds('Question: what is in the picture? Answer:') };
    const cached = synthetic().runtime.decoderSessionForIds([row]);
    let logits = await cached.prefill();
    const generated: number[] = [];
    // 14 steps: decoder distances pass max_exact (8) and the max distance (10).
    for (let step = 0; step < 14; step++) {
      const uncached = await synthetic().runtime.decoderSessionForIds([row], { decoderPrefix: [0, ...generated] }).prefill();
      expect(maxAbsDiff(logits, uncached), `step ${step}`).toBeLessThan(1e-4);
      const token = argmax(logits);
      expect(argmax(uncached)).toBe(token);
      generated.push(token);
      logits = await cached.step(Int32Array.of(token));
    }
  });

  it.each([
    ['greedy', { maxNewTokens: 12, minNewTokens: 12 }],
    ['greedy with repetition penalty and no-repeat n-gram', { maxNewTokens: 12, repetitionPenalty: 1.3, noRepeatNgramSize: 2 }],
    ['beam search', { maxNewTokens: 12, numBeams: 3 }],
  ])('batched right-padded rows equal the same rows run alone (%s)', async (_name, options) => {
    const images = await synthetic().runtime.encodeImages([readFileSync(join(IMAGES, 'astronaut.png')), readFileSync(join(IMAGES, 'rocket.jpg')), readFileSync(join(IMAGES, 'camera.png'))]);
    const items = [
      { queryEmbeds: images[0].queryEmbeds, prompt: 'Question: what is in the picture? Answer:' },
      { queryEmbeds: images[1].queryEmbeds, prompt: '' },
      { queryEmbeds: images[2].queryEmbeds, prompt: 'a photo of' },
    ];
    const batch = await synthetic().runtime.generate(items, options);
    for (const [row, item] of items.entries()) {
      const [alone] = await synthetic().runtime.generate([item], options);
      expect(batch[row].sequence, `row ${row}`).toEqual(alone.sequence);
      expect(batch[row].sequence[0]).toBe(0);
    }
  });

  it('samples reproducibly with a seed and streams every token', async () => {
    const [image] = await synthetic().runtime.encodeImages([readFileSync(join(IMAGES, 'chelsea.png'))]);
    const item = { queryEmbeds: image.queryEmbeds, prompt: 'a photo of' };
    const options = { maxNewTokens: 10, minNewTokens: 10, doSample: true, seed: 5, topK: 20, temperature: 1.5 };
    const streamed: number[] = [];
    const [first] = await synthetic().runtime.generate([item], options, { onToken: (_row, token) => streamed.push(token) });
    const [second] = await synthetic().runtime.generate([item], options);
    expect(first.sequence).toHaveLength(11);
    expect(first.sequence).toEqual(second.sequence);
    expect([0, ...streamed]).toEqual(first.sequence);
  });
});
