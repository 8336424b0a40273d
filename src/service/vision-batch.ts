/**
 * One vision batch for the images that missed the embedding cache at the same moment. If the batch fails because of
 * one image's input (corrupt, unsupported, too large), the images are encoded one by one so only that image fails.
 * Each image comes with its request's end (signal) and deadline: the engine call gets the batch's longest remaining
 * deadline and is cancelled once every request of the batch has gone away.
 */
import type { ImageEmbedding } from '../../engine/engine.ts';
import type { CallOptions } from '../../engine/engine.ts';
import { GlanceError, ErrorCode } from '../../engine/errors.ts';
import { allAborted } from '../scheduler/all-aborted.ts';

export type VisionOutcome = { embedding: ImageEmbedding } | { error: unknown };

export interface VisionJob {
  image: Uint8Array;
  /** Fires when the request that wants the image ends (cancelled, past its deadline). */
  signal: AbortSignal;
  /** performance.now() of the request's deadline. */
  deadlineAt: number;
  /** Told when the batch with this image starts on the engine (the request's "reading the image" stage). */
  onStart?: () => void;
}

/** Encodes the jobs' images in one engine call under their longest deadline, cancelled when every job has ended. */
export async function encodeVisionJobs(
  jobs: readonly VisionJob[],
  encode: (images: readonly Uint8Array[], options: CallOptions) => Promise<ImageEmbedding[]>,
): Promise<VisionOutcome[]> {
  for (const job of jobs) job.onStart?.();
  const deadlineAt = Math.max(...jobs.map((job) => job.deadlineAt));
  const gone = allAborted(jobs.map((job) => job.signal));
  try {
    return await encodeVisionBatch(
      jobs.map((job) => job.image),
      (images) => encode(images, { signal: gone.signal, timeoutMs: Math.max(1, Math.ceil(deadlineAt - performance.now())) }),
    );
  } finally {
    gone.dispose();
  }
}

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
