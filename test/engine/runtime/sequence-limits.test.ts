/** Prompts and answers must fit the language model's learned positions: refused up front, never a failure mid-run. */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../engine/errors.ts';
import { useTinyOptRuntime } from '../../helpers/tiny-bundle.ts';

const tinyRuntime = useTinyOptRuntime();

describe('sequence limits (2048 positions, 32 for the image)', () => {
  const queryEmbeds = () => new Float32Array(32 * 32);

  it('refuses more new tokens than the positions leave room for', async () => {
    await expect(tinyRuntime().generate([{ queryEmbeds: queryEmbeds(), prompt: '' }], { maxNewTokens: 2016 })).rejects.toMatchObject({
      code: ErrorCode.GenerationInvalidOption,
      message: expect.stringContaining('room for 2015'),
    });
  });

  it('refuses a prompt longer than the model reads', async () => {
    const prompt = 'word '.repeat(2100);
    await expect(tinyRuntime().generate([{ queryEmbeds: queryEmbeds(), prompt }], { maxNewTokens: 1 })).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
  });

  it('runs right up to the limit', async () => {
    const prompt = 'word '.repeat(2000).trim();
    const room = 2048 - 32 - tinyRuntime().tokenizer.encode(prompt).ids.length;
    const [output] = await tinyRuntime().generate([{ queryEmbeds: queryEmbeds(), prompt }], { maxNewTokens: room, minNewTokens: room });
    expect(output.sequence).toHaveLength(room + 1);
  });
});
