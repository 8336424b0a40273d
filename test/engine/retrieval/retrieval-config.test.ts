/** config.json of Blip2ForImageTextRetrieval: transformers' defaults, the ignored text_config, refused variants. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { resolveBlip2Config } from '../../../engine/convert/blip2-config.ts';
import { checkpointTensors } from '../../../engine/convert/synthesize-checkpoint.ts';
import { ErrorCode } from '../../../engine/errors.ts';
import { TINY_ITM, readJson } from '../../helpers/fixtures.ts';

const base = readJson(join(TINY_ITM, 'config.json'));
const parameters = (config: unknown) => checkpointTensors(config).reduce((sum, ref) => sum + ref.shape.reduce((a, b) => a * b, 1), 0);

describe('resolveBlip2Config for Blip2ForImageTextRetrieval', () => {
  it('resolves the tiny fixture to the retrieval family, and its tensors are exactly the checkpoint parameters', () => {
    const c = resolveBlip2Config(base);
    expect(c.family).toBe('blip2-itm');
    if (c.family !== 'blip2-itm') return;
    expect(c.text).toEqual({ vocabSize: 811, maxPositionEmbeddings: 512, padTokenId: 0 });
    expect(c.embedDim).toBe(16);
    expect(c.qformer).toMatchObject({ hiddenSize: 32, numLayers: 2, crossAttentionFrequency: 2, layerNormEps: 1e-12, encoderHiddenSize: 32 });
    expect(parameters(base)).toBe(readJson(join(TINY_ITM, 'goldens.json')).model.parameter_count);
    const names = checkpointTensors(base).map((ref) => ref.checkpointName);
    expect(names).toEqual(expect.arrayContaining(['itm_head.weight', 'vision_projection.weight', 'text_projection.weight', 'embeddings.word_embeddings.weight', 'embeddings.position_embeddings.weight', 'qformer.encoder.layer.1.intermediate.dense.weight']));
    expect(names.some((name) => name.startsWith('language_'))).toBe(false);
  });

  it("takes Blip2QFormerConfig's and Blip2Config's defaults for absent keys", () => {
    const c = resolveBlip2Config({ architectures: ['Blip2ForImageTextRetrieval'], model_type: 'blip-2', qformer_config: { use_qformer_text_input: true } });
    if (c.family !== 'blip2-itm') throw new Error('expected the retrieval family');
    expect(c.text).toEqual({ vocabSize: 30522, maxPositionEmbeddings: 512, padTokenId: 0 });
    expect(c.embedDim).toBe(256);
    expect(c.numQueryTokens).toBe(32);
    expect(c.vision.hiddenSize).toBe(1408);
  });

  it('ignores text_config (the published config carries an OPT stub)', () => {
    expect(resolveBlip2Config({ ...base, text_config: { model_type: 'llama' } }).family).toBe('blip2-itm');
    expect(resolveBlip2Config({ ...base, text_config: null }).family).toBe('blip2-itm');
  });

  it('refuses variants transformers could not run or glance does not build', () => {
    expect(() => resolveBlip2Config({ ...base, qformer_config: { ...base.qformer_config, use_qformer_text_input: false } })).toThrow(expect.objectContaining({ code: ErrorCode.CheckpointInvalidConfig, message: expect.stringContaining('use_qformer_text_input') }));
    expect(() => resolveBlip2Config({ ...base, qformer_config: { ...base.qformer_config, position_embedding_type: 'relative_key' } })).toThrow(expect.objectContaining({ code: ErrorCode.CheckpointUnsupportedModel }));
    expect(() => resolveBlip2Config({ ...base, image_text_hidden_size: 0 })).toThrow(expect.objectContaining({ code: ErrorCode.CheckpointInvalidConfig, message: expect.stringContaining('image_text_hidden_size') }));
    expect(() => resolveBlip2Config({ ...base, qformer_config: { ...base.qformer_config, pad_token_id: 811 } })).toThrow(expect.objectContaining({ code: ErrorCode.CheckpointInvalidConfig }));
  });
});
