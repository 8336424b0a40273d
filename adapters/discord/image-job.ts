/**
 * Runs glance on the images of one request, one after the other in the asker's turn (UserWorkQueue): each image is
 * loaded (downloaded), captioned or asked about, and becomes one outcome. An image that cannot be read becomes an
 * error line for that image only; refusals of the whole request (busy, rate limited, deadline, shutting down) are
 * thrown. With one image, `onPartial` gets the answer's text so far (for streaming edits).
 */
import type { DiscordAdapterContext } from './adapter-context.ts';
import { isPerImageError } from '../shared/image-limits.ts';
import { userMessage } from '../shared/error-messages.ts';
import type { ImageOutcome } from './reply-format.ts';

export interface ImageToRead {
  name: string;
  spoiler: boolean;
  load: () => Promise<Uint8Array>;
}

export interface ImageJob {
  images: ImageToRead[];
  userId: string;
  channelId: string;
  /** undefined or '' = caption. */
  question?: string;
  rawPrompt?: boolean;
  generation?: Record<string, unknown>;
  onPartial?: (textSoFar: string) => void;
}

export interface ImageJobResult {
  outcomes: ImageOutcome[];
  /** The sum of the service's own timings (ms), for the adapter-overhead benchmark. */
  serviceMs: number;
}

export function spoilerName(name: string): boolean {
  return name.startsWith('SPOILER_');
}

export function runImageJob(context: DiscordAdapterContext, job: ImageJob): Promise<ImageJobResult> {
  return context.queue.run(job.userId, async () => {
    const outcomes: ImageOutcome[] = [];
    let serviceMs = 0;
    for (const image of job.images) {
      try {
        const bytes = await image.load();
        const result = await context.service.run({
          image: bytes,
          question: job.question,
          rawPrompt: job.rawPrompt,
          generation: job.generation,
          userId: job.userId,
          channelId: job.channelId,
          onToken: job.images.length === 1 ? job.onPartial : undefined,
        });
        serviceMs += result.timingsMs.total;
        outcomes.push({ name: image.name, spoiler: image.spoiler, text: result.text });
      } catch (error) {
        if (!isPerImageError(error)) throw error;
        outcomes.push({ name: image.name, spoiler: image.spoiler, error: userMessage(error) });
      }
    }
    return { outcomes, serviceMs };
  });
}
