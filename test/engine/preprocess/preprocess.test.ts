import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../engine/errors.ts';
import { parseImageProcessorConfig } from '../../../engine/preprocess/image-processor-config.ts';
import { preprocessImage } from '../../../engine/preprocess/preprocess.ts';

const FIXTURES = new URL('../../../../shared/fixtures/', import.meta.url);

describe('preprocessImage with do_resize false', () => {
  it('accepts an image already at the model size and refuses any other size', async () => {
    const astronaut = readFileSync(new URL('images/astronaut.png', FIXTURES));
    const exact = await preprocessImage(astronaut, parseImageProcessorConfig({ do_resize: false, size: { height: 512, width: 512 } }));
    expect(exact.dims).toEqual([1, 3, 512, 512]);
    await expect(preprocessImage(astronaut, parseImageProcessorConfig({ do_resize: false, size: { height: 224, width: 224 } }))).rejects.toMatchObject({
      code: ErrorCode.ImageUnsupported,
      message: expect.stringContaining('224x224'),
    });
  });
});
