// CLI image errors name the file: the engine reports which image of the batch failed, the CLI turns it into the path.
import { describe, expect, it } from 'vitest';
import { ErrorCode, GlanceError } from '../../engine/errors.ts';
import { namingImageFile } from '../../cli/image-file-error.ts';

describe('namingImageFile', () => {
  it('puts the file of details.imageIndex in front of the message, keeping the code', () => {
    const engineError = new GlanceError(ErrorCode.ImageCorrupt, 'The image could not be decoded (truncated).', { imageIndex: 1 });
    const named = namingImageFile(engineError, ['a.png', 'photos/broken.jpg']) as GlanceError;
    expect(named.code).toBe(ErrorCode.ImageCorrupt);
    expect(named.message).toBe('photos/broken.jpg: The image could not be decoded (truncated).');
    expect(named.details).toMatchObject({ path: 'photos/broken.jpg' });
  });

  it('leaves errors without an image index (or not GlanceErrors) alone', () => {
    const other = new GlanceError(ErrorCode.RuntimeFailure, 'onnxruntime failed');
    expect(namingImageFile(other, ['a.png'])).toBe(other);
    const plain = new Error('x');
    expect(namingImageFile(plain, ['a.png'])).toBe(plain);
  });
});
