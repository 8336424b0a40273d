/**
 * An image error from the engine, said with the file it came from: the engine knows only "image 2 of the batch"
 * (details.imageIndex), the CLI knows the paths. `glance: error [IMAGE_UNSUPPORTED]: broken.jpg: The file is not …`.
 */
import { GlanceError } from '../engine/errors.ts';

/** `error` with `files[details.imageIndex]` in front of its message (and in details.path); anything else unchanged. */
export function namingImageFile(error: unknown, files: readonly string[]): unknown {
  if (!(error instanceof GlanceError)) return error;
  const index = error.details?.imageIndex;
  if (typeof index !== 'number' || files[index] === undefined) return error;
  return new GlanceError(error.code, `${files[index]}: ${error.message}`, { ...error.details, path: files[index] }, { cause: error });
}
