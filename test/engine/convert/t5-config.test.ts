/** Resolving BLIP-2 configs whose language model is T5 (Flan-T5): T5Config 4.45 defaults, parameter counts, refusals. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { resolveBlip2Config, type T5Blip2Config } from '../../../engine/convert/blip2-config.ts';
import { relativeBucketTable } from '../../../engine/convert/graphs/t5-graphs.ts';
import { checkpointTensors } from '../../../engine/convert/synthesize-checkpoint.ts';
import { ErrorCode } from '../../../engine/errors.ts';
import { CONFIGS, TINY_T5, readJson } from '../../helpers/fixtures.ts';

const parameters = (config: unknown) => checkpointTensors(config).reduce((sum, ref) => sum + ref.shape.reduce((a, b) => a * b, 1), 0);
const tiny = () => readJson(join(TINY_T5, 'config.json'));
const withText = (text: Record<string, unknown>) => {
  const base = tiny();
  return { ...base, text_config: { ...base.text_config, ...text } };
};

describe('BLIP-2 with T5', () => {
  it('resolves blip2-flan-t5-xl as transformers 4.45 does (gated exact gelu, untied lm_head, start id 0)', () => {
    const c = resolveBlip2Config(readJson(join(CONFIGS, 'blip2-flan-t5-xl/config.json'))) as T5Blip2Config;
    expect(c.family).toBe('blip2-t5');
    expect(c.vision).toMatchObject({ hiddenSize: 1408, numLayers: 39, numHeads: 16, imageSize: 224, patchSize: 14 });
    expect(c.qformer).toMatchObject({ hiddenSize: 768, numLayers: 12, encoderHiddenSize: 1408 });
    expect(c.imageTokenIndex).toBe(32100);
    expect(c.text).toEqual({
      modelType: 't5',
      vocabSize: 32128,
      hiddenSize: 2048,
      headDim: 64,
      numHeads: 32,
      ffnDim: 5120,
      numLayers: 24,
      numDecoderLayers: 24,
      relativeAttentionNumBuckets: 32,
      relativeAttentionMaxDistance: 128,
      layerNormEps: 1e-6,
      activation: 'gelu',
      gatedFfn: true,
      tieWordEmbeddings: false,
      bosTokenId: 1,
      eosTokenId: 1,
      padTokenId: 0,
      decoderStartTokenId: 0,
    });
  });

  it('derives exactly the parameter counts transformers instantiates', () => {
    // blip2-flan-t5-xl (configs/README.md): vision 985,952,256 + Q-Former 105,137,664 + query tokens 24,576
    // + language_projection 768·2048 + 2048 = 1,574,912 + language model 2,849,757,184, where the language model is
    //   shared 32128·2048 = 65,798,144 (encoder and decoder embed_tokens are the same tensor) + lm_head 65,798,144
    //   + encoder 24 × (4·2048·2048 attention + 3·2048·5120 gated FFN + 2·2048 norms) = 1,157,726,208
    //   + decoder 24 × (8·2048·2048 self + cross attention + 3·2048·5120 FFN + 3·2048 norms) = 1,560,428,544
    //   + 2 × (32·32 relative_attention_bias + 2048 final norm) = 6,144.
    expect(parameters(readJson(join(CONFIGS, 'blip2-flan-t5-xl/config.json')))).toBe(3_942_446_592);
    expect(parameters(tiny())).toBe(readJson(join(TINY_T5, 'goldens.json')).model.parameter_count);
  });

  it('fills absent keys with T5Config defaults: relu FFN, tied embeddings, decoder layers = encoder layers', () => {
    const c = resolveBlip2Config({ model_type: 'blip-2', text_config: { model_type: 't5', decoder_start_token_id: 0 } }) as T5Blip2Config;
    expect(c.text).toMatchObject({ vocabSize: 32128, hiddenSize: 512, headDim: 64, ffnDim: 2048, numLayers: 6, numDecoderLayers: 6, numHeads: 8, activation: 'relu', gatedFfn: false, tieWordEmbeddings: true, eosTokenId: 1, padTokenId: 0, bosTokenId: null });
    // "gated-gelu" alone means the tanh approximation (T5Config's backwards compatibility); dense_act_fn overrides it.
    expect((resolveBlip2Config(withText({ dense_act_fn: undefined })) as T5Blip2Config).text).toMatchObject({ activation: 'gelu_new', gatedFfn: true });
    expect((resolveBlip2Config(withText({ dense_act_fn: 'gelu' })) as T5Blip2Config).text).toMatchObject({ activation: 'gelu', gatedFfn: true });
    expect((resolveBlip2Config(withText({ feed_forward_proj: 'relu', dense_act_fn: undefined, is_gated_act: undefined })) as T5Blip2Config).text).toMatchObject({ activation: 'relu', gatedFfn: false });
  });

  it('reads the lm_head from language_model.lm_head.weight when untied, from language_model.shared.weight when tied', () => {
    const names = (config: unknown) => checkpointTensors(config).map((ref) => ref.checkpointName);
    expect(names(tiny())).toContain('language_model.lm_head.weight');
    expect(names(withText({ tie_word_embeddings: true }))).not.toContain('language_model.lm_head.weight');
    expect(names(withText({ feed_forward_proj: 'relu', dense_act_fn: undefined, is_gated_act: undefined }))).toContain('language_model.encoder.block.0.layer.1.DenseReluDense.wi.weight');
  });

  it('refuses T5 variants it does not implement with CHECKPOINT_UNSUPPORTED_MODEL', () => {
    const unsupported = expect.objectContaining({ code: ErrorCode.CheckpointUnsupportedModel, message: expect.stringContaining('T5') });
    expect(() => resolveBlip2Config(withText({ dense_act_fn: 'silu' }))).toThrow(unsupported);
    expect(() => resolveBlip2Config(withText({ feed_forward_proj: 'gated-silu', dense_act_fn: undefined }))).toThrow(unsupported);
    expect(() => resolveBlip2Config(withText({ feed_forward_proj: 'gelu_pytorch_tanh', dense_act_fn: undefined, is_gated_act: undefined }))).toThrow(unsupported);
    expect(() => resolveBlip2Config(withText({ is_encoder_decoder: false }))).toThrow(unsupported);
  });

  it('rejects impossible T5 values with CHECKPOINT_INVALID_CONFIG', () => {
    const invalid = expect.objectContaining({ code: ErrorCode.CheckpointInvalidConfig });
    expect(() => resolveBlip2Config(withText({ feed_forward_proj: 'gated-gelu-new' }))).toThrow(invalid);
    expect(() => resolveBlip2Config(withText({ feed_forward_proj: 'fancy-gelu' }))).toThrow(invalid);
    expect(() => resolveBlip2Config(withText({ d_kv: 0 }))).toThrow(invalid);
    expect(() => resolveBlip2Config(withText({ relative_attention_num_buckets: 2 }))).toThrow(invalid);
    expect(() => resolveBlip2Config(withText({ decoder_start_token_id: null, bos_token_id: null }))).toThrow(invalid);
  });

  it("buckets relative positions as T5Attention._relative_position_bucket (32 buckets, max distance 128)", () => {
    // Values worked out by hand from modeling_t5.py: exact below max_exact, then max_exact + ⌊log(n/me)/log(128/me)·(b−me)⌋.
    const bidirectional = relativeBucketTable(32, 128, true); // 16 buckets per direction, max_exact 8
    expect(bidirectional.slice(0, 8)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([bidirectional[8], bidirectional[11], bidirectional[12], bidirectional[16], bidirectional[32], bidirectional[64], bidirectional[127], bidirectional[128]]).toEqual([8, 8, 9, 10, 12, 14, 15, 15]);
    const causal = relativeBucketTable(32, 128, false); // max_exact 16
    expect([causal[15], causal[16], causal[20], causal[32], causal[64], causal[127], causal[128]]).toEqual([15, 16, 17, 21, 26, 31, 31]);
  });
});
