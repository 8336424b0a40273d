import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { resolveBlip2Config } from '../../../engine/convert/blip2-config.ts';
import { checkpointTensors } from '../../../engine/convert/synthesize-checkpoint.ts';
import { ErrorCode } from '../../../engine/errors.ts';
import { CONFIGS, TINY_OPT, readJson } from '../../helpers/fixtures.ts';

const parameters = (config: unknown) => checkpointTensors(config).reduce((sum, ref) => sum + ref.shape.reduce((a, b) => a * b, 1), 0);

describe('resolveBlip2Config', () => {
  it('fills absent keys with transformers 4.45 class defaults (blip2-opt-2.7b resolved values)', () => {
    const c = resolveBlip2Config(readJson(join(CONFIGS, 'blip2-opt-2.7b/config.json')));
    expect(c.vision).toEqual({ hiddenSize: 1408, intermediateSize: 6144, numLayers: 39, numHeads: 16, imageSize: 224, patchSize: 14, hiddenAct: 'gelu', layerNormEps: 1e-6, qkvBias: true });
    expect(c.qformer).toEqual({ hiddenSize: 768, intermediateSize: 3072, numLayers: 12, numHeads: 12, hiddenAct: 'gelu', layerNormEps: 1e-12, crossAttentionFrequency: 2, encoderHiddenSize: 1408 });
    expect(c.numQueryTokens).toBe(32);
    expect(c.imageTokenIndex).toBe(50265);
    expect(c.text).toMatchObject({ vocabSize: 50304, hiddenSize: 2560, numLayers: 32, numHeads: 32, ffnDim: 10240, maxPositionEmbeddings: 2048, activation: 'relu', eosTokenId: 50118, bosTokenId: 2, padTokenId: 1 });
  });

  it('derives exactly the parameter counts transformers instantiates for the real-size configs', () => {
    expect(parameters(readJson(join(CONFIGS, 'blip2-opt-2.7b/config.json')))).toBe(3_744_761_856);
    expect(parameters(readJson(join(CONFIGS, 'blip2-opt-2.7b-depth8/config.json')))).toBe(1_124_271_232);
    expect(parameters(readJson(join(TINY_OPT, 'config.json')))).toBe(readJson(join(TINY_OPT, 'goldens.json')).model.parameter_count);
  });

  it('reads the tied lm_head from the token embedding, and an untied one from lm_head.weight', () => {
    const base = readJson(join(TINY_OPT, 'config.json'));
    const names = (config: unknown) => checkpointTensors(config).map((ref) => ref.checkpointName);
    expect(names(base)).not.toContain('language_model.lm_head.weight');
    expect(names({ ...base, text_config: { ...base.text_config, tie_word_embeddings: false } })).toContain('language_model.lm_head.weight');
  });

  it('names the supported models when the model type is not supported', () => {
    const base = readJson(join(TINY_OPT, 'config.json'));
    expect(() => resolveBlip2Config({ ...base, model_type: 'llava' })).toThrow(expect.objectContaining({ code: ErrorCode.CheckpointUnsupportedModel, message: expect.stringContaining('opt') }));
    expect(() => resolveBlip2Config({ ...base, text_config: { ...base.text_config, model_type: 'llama' } })).toThrow(expect.objectContaining({ code: ErrorCode.CheckpointUnsupportedModel }));
    expect(() => resolveBlip2Config({ ...base, architectures: ['Blip2Model'] })).toThrow(expect.objectContaining({ code: ErrorCode.CheckpointUnsupportedModel }));
  });

  it('rejects impossible sizes with a coded error naming the key', () => {
    const base = readJson(join(TINY_OPT, 'config.json'));
    expect(() => resolveBlip2Config({ ...base, vision_config: { ...base.vision_config, num_attention_heads: 5 } })).toThrow(expect.objectContaining({ code: ErrorCode.CheckpointInvalidConfig, message: expect.stringContaining('vision_config') }));
    expect(() => resolveBlip2Config({ ...base, vision_config: { ...base.vision_config, image_size: 225 } })).toThrow(expect.objectContaining({ code: ErrorCode.CheckpointInvalidConfig }));
    expect(() => resolveBlip2Config({ ...base, text_config: { ...base.text_config, hidden_size: -3 } })).toThrow(expect.objectContaining({ code: ErrorCode.CheckpointInvalidConfig, message: expect.stringContaining('hidden_size') }));
    expect(() => resolveBlip2Config({ ...base, text_config: { ...base.text_config, do_layer_norm_before: false } })).toThrow(expect.objectContaining({ code: ErrorCode.CheckpointUnsupportedModel }));
    expect(() => resolveBlip2Config('nope')).toThrow(expect.objectContaining({ code: ErrorCode.CheckpointInvalidConfig }));
  });
});
