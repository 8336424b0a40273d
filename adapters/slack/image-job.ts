/**
 * Runs glance on the images of one Slack request, in the asker's turn (one job per user at a time): each image is
 * loaded, captioned or asked about, and becomes one outcome. An image that cannot be read becomes an error line for
 * that image only; refusals of the whole request (busy, rate limited, deadline, shutting down) are thrown. With one
 * image, `onPartial` gets the answer so far (streamed by chat.update).
 */
import { userMessage } from '../shared/error-messages.ts';
import { isPerImageError } from '../shared/image-limits.ts';
import type { ImageOutcome } from './reply-format.ts';
import type { SlackAdapterContext } from './slack-context.ts';

export interface SlackImage {
  name: string;
  load: () => Promise<Uint8Array>;
}

export interface SlackImageJob {
  images: SlackImage[];
  userId: string;
  channelId: string;
  /** undefined or '' = caption. */
  question?: string;
  onPartial?: (textSoFar: string) => void;
}

export interface SlackJobResult {
  outcomes: ImageOutcome[];
  /** The service's own time (sum of timingsMs.total), for the adapter-overhead benchmark. */
  serviceMs: number;
}

export function runSlackJob(context: SlackAdapterContext, job: SlackImageJob): Promise<SlackJobResult> {
  return context.queue.run(job.userId, async () => {
    const outcomes: ImageOutcome[] = [];
    let serviceMs = 0;
    for (const image of job.images) {
      try {
        const result = await context.service.run({
          image: await image.load(),
          question: job.question,
          userId: job.userId,
          channelId: job.channelId,
          onToken: job.images.length === 1 ? job.onPartial : undefined,
        });
        serviceMs += result.timingsMs.total;
        outcomes.push({ name: image.name, text: result.text });
      } catch (error) {
        if (!isPerImageError(error)) throw error;
        outcomes.push({ name: image.name, error: userMessage(error) });
      }
    }
    return { outcomes, serviceMs };
  });
}
