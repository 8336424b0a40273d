/**
 * One vision batch for the images that missed the embedding cache at the same moment. If the batch fails because of
 * one image's input (corrupt, unsupported, too large), the images are encoded one by one so only that image fails.
 */
import type { ImageEmbedding } from '../../engine/engine.ts';
import { GlanceError, ErrorCode } from '../../engine/errors.ts';

export type VisionOutcome = { embedding: ImageEmbedding } | { error: unknown };

const INPUT_ERRORS = new Set<string>([
  ErrorCode.ImageEmpty,
  ErrorCode.ImageUnsupported,
  ErrorCode.ImageCorrupt,
  ErrorCode.ImageTooLarge,
  ErrorCode.InvalidInput,
]);

export async function encodeVisionBatch(
  images: readonly Uint8Array[],
  encode: (images: readonly Uint8Array[]) => Promise<ImageEmbedding[]>,
): Promise<VisionOutcome[]> {
  try {
    return (await encode(images)).map((embedding) => ({ embedding }));
  } catch (error) {
    if (images.length === 1 || !(error instanceof GlanceError) || !INPUT_ERRORS.has(error.code)) return images.map(() => ({ error }));
    const outcomes: VisionOutcome[] = [];
    for (const image of images) {
      outcomes.push(
        await encode([image]).then(
          ([embedding]) => ({ embedding }),
          (single: unknown) => ({ error: single }),
        ),
      );
    }
    return outcomes;
  }
}
