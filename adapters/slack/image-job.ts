/**
 * A Slack request's images as the shared image job runs them (adapters/shared/image-job.ts): one job per user at a
 * time; with one image, `onPartial` gets the answer so far (streamed by chat.update).
 */
import { runImageJob, type ImageJob, type ImageJobResult, type ImageToRead } from '../shared/image-job.ts';
import type { SlackAdapterContext } from './slack-context.ts';

export type SlackImage = ImageToRead;

export type SlackImageJob = ImageJob<SlackImage>;

export function runSlackJob(context: SlackAdapterContext, job: SlackImageJob): Promise<ImageJobResult<SlackImage>> {
  return runImageJob(context, job);
}
