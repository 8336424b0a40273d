/**
 * Runs glance on the images of one chat request, one after the other in the asker's turn (UserWorkQueue): each image
 * is loaded (downloaded), captioned or asked about, and becomes one outcome carrying the image's own fields (name,
 * and e.g. Discord's spoiler flag) with its text. An image that cannot be read becomes an error line for that image
 * only; refusals of the whole request (busy, rate limited, deadline, shutting down) are thrown. With one image,
 * `onPartial` gets the answer's text so far (for streaming edits).
 */
import type { GlanceService } from '../../src/service/glance-service.ts';
import { userMessage } from './error-messages.ts';
import { isPerImageError } from './image-limits.ts';
import type { UserWorkQueue } from './user-work-queue.ts';

export interface ImageToRead {
  name: string;
  load: () => Promise<Uint8Array>;
  /** Told the image's content hash (sha256 hex) once the service has read it: a remembered image keeps it. */
  noteHash?: (imageHash: string) => void;
}

export interface ImageJob<I extends ImageToRead> {
  images: I[];
  userId: string;
  channelId: string;
  /** undefined or '' = caption. */
  question?: string;
  rawPrompt?: boolean;
  generation?: Record<string, unknown>;
  onPartial?: (textSoFar: string) => void;
}

/** The image's fields but `load` and `noteHash`, with the text glance wrote or the reason it could not. */
export type ImageOutcome<I extends ImageToRead> = (Omit<I, 'load' | 'noteHash'> & { text: string }) | (Omit<I, 'load' | 'noteHash'> & { error: string });

export interface ImageJobResult<I extends ImageToRead> {
  outcomes: ImageOutcome<I>[];
  /** The sum of the service's own timings (ms), for the adapter-overhead benchmark. */
  serviceMs: number;
}

export interface ImageJobContext {
  service: Pick<GlanceService, 'run'>;
  queue: UserWorkQueue;
}

export function runImageJob<I extends ImageToRead>(context: ImageJobContext, job: ImageJob<I>): Promise<ImageJobResult<I>> {
  return context.queue.run(job.userId, async () => {
    const outcomes: ImageOutcome<I>[] = [];
    let serviceMs = 0;
    for (const image of job.images) {
      const { load, noteHash, ...described } = image;
      try {
        const result = await context.service.run({
          image: await load(),
          question: job.question,
          rawPrompt: job.rawPrompt,
          generation: job.generation,
          userId: job.userId,
          channelId: job.channelId,
          onToken: job.images.length === 1 ? job.onPartial : undefined,
        });
        serviceMs += result.timingsMs.total;
        noteHash?.(result.imageHash);
        outcomes.push({ ...described, text: result.text });
      } catch (error) {
        if (!isPerImageError(error)) throw error;
        outcomes.push({ ...described, error: userMessage(error) });
      }
    }
    return { outcomes, serviceMs };
  });
}
