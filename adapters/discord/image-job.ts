/**
 * A Discord request's images as the shared image job runs them (adapters/shared/image-job.ts): each with its
 * spoiler flag, which the reply keeps (the text of a spoilered image is spoilered too).
 */
import { runImageJob as runSharedImageJob, type ImageJob as SharedImageJob, type ImageJobResult, type ImageToRead as SharedImageToRead } from '../shared/image-job.ts';
import type { DiscordAdapterContext } from './adapter-context.ts';

export interface ImageToRead extends SharedImageToRead {
  spoiler: boolean;
}

export type ImageJob = SharedImageJob<ImageToRead>;

export function spoilerName(name: string): boolean {
  return name.startsWith('SPOILER_');
}

export function runImageJob(context: DiscordAdapterContext, job: ImageJob): Promise<ImageJobResult<ImageToRead>> {
  return runSharedImageJob(context, job);
}

/** At most `limit` images of a request, in order, and the names of the rest (the reply names them as skipped). */
export function withinLimit<I extends { name: string }>(images: I[], limit: number): { images: I[]; skipped: string[] } {
  return { images: images.slice(0, limit), skipped: images.slice(limit).map((image) => image.name) };
}
