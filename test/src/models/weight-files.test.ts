/** chooseWeightFiles picks the safetensors files the converter reads, as openCheckpoint looks for them. */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../engine/errors.ts';
import { chooseWeightFiles } from '../../../src/models/weight-files.ts';

const index = (map: Record<string, string>) => async () => JSON.stringify({ metadata: {}, weight_map: map });
const noIndex = async () => {
  throw new Error('the index is not read here');
};

describe('chooseWeightFiles', () => {
  it('prefers model.safetensors, then the index\'s shards, then a lone shard', async () => {
    expect(await chooseWeightFiles(['config.json', 'model.safetensors', 'model.fp16.safetensors'], noIndex, 'o/n')).toEqual(['model.safetensors']);
    expect(await chooseWeightFiles(['model.safetensors.index.json', 'model-00002-of-00002.safetensors', 'model-00001-of-00002.safetensors', 'extra.safetensors'],
      index({ a: 'model-00002-of-00002.safetensors', b: 'model-00001-of-00002.safetensors', c: 'model-00001-of-00002.safetensors' }), 'o/n')).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect(await chooseWeightFiles(['model-00001-of-00001.safetensors'], noIndex, 'o/n')).toEqual(['model-00001-of-00001.safetensors']);
  });

  it('refuses an index naming absent shards, a broken index and a repository without usable weights', async () => {
    await expect(chooseWeightFiles(['model.safetensors.index.json', 'model-00001-of-00002.safetensors'], index({ a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' }), 'o/n'))
      .rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/model-00002-of-00002\.safetensors.*incomplete/) });
    await expect(chooseWeightFiles(['model.safetensors.index.json'], async () => '{not json', 'o/n')).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/not valid JSON/) });
    await expect(chooseWeightFiles(['model.safetensors.index.json'], async () => '{}', 'o/n')).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/no weight_map/) });
    await expect(chooseWeightFiles(['adapter_model.safetensors'], noIndex, 'o/n')).rejects.toMatchObject({ code: ErrorCode.ModelUnavailable, message: expect.stringMatching(/safetensors checkpoints only.*adapter_model\.safetensors/) });
  });
});
