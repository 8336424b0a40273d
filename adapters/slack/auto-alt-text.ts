/**
 * Automatic alt text: in a channel where `/glance alt-text on` was run, a message with images gets one threaded
 * reply: "Alt text (glance): …", one numbered line per image when there are several, at most
 * GLANCE_MAX_IMAGES_PER_MESSAGE images (the rest named as skipped). Images that already have alt text (`alt_txt`),
 * bots' messages and users who opted out are skipped. Needs the message.channels / message.groups events (and the
 * bot in the channel).
 */
import { GlanceError } from '../../engine/errors.ts';
import { isUnexpected } from '../shared/error-messages.ts';
import { replyThread } from './conversation-key.ts';
import type { SlackMessage } from './event-fields.ts';
import { runSlackJob } from './image-job.ts';
import { formatReply } from './reply-format.ts';
import { PLATFORM, type SlackAdapterContext } from './slack-context.ts';
import { fileLoader, fileName, pickImageFiles } from './slack-files.ts';
import { startThreadReply } from './thread-reply.ts';

/**
 * Describes the message's images if its channel asked for it (files already completed); resolves when replied.
 *
 * Nobody asked for this work, so it never posts only to say it failed: a request refused as a whole (busy, rate
 * limited, deadline, shutting down) is logged and nothing is posted; so is a message none of whose images could be
 * read. When at least one image got alt text, the others' problems are numbered lines of the same attributed reply.
 */
export async function autoAltText(context: SlackAdapterContext, message: SlackMessage): Promise<void> {
  if (message.botId || message.channelType === 'im') return;
  if (!context.settings.isChannelAutoAltText(PLATFORM, message.channel)) return;
  if (context.settings.isUserOptedOut(PLATFORM, message.user)) return;
  const limit = context.config.limits.maxImagesPerMessage;
  const picked = pickImageFiles(message.files, limit, { skipDescribed: true });
  if (picked.images.length === 0) return;
  const fields = { component: 'slack', channel: message.channel, message: message.ts };
  let outcomes: Awaited<ReturnType<typeof runSlackJob>>['outcomes'];
  try {
    ({ outcomes } = await runSlackJob(context, {
      images: picked.images.map((file) => ({ name: fileName(file), load: fileLoader(context, file) })),
      userId: message.user,
      channelId: message.channel,
    }));
  } catch (error) {
    if (isUnexpected(error)) context.log?.error({ ...fields, err: error }, 'automatic alt text failed; nothing posted');
    else context.log?.info({ ...fields, code: error instanceof GlanceError ? error.code : undefined }, 'automatic alt text refused (nobody asked, so nothing is posted)');
    return;
  }
  if (!outcomes.some((outcome) => 'text' in outcome)) {
    context.log?.info({ ...fields, images: outcomes.length }, 'automatic alt text: no image could be read; nothing posted');
    return;
  }
  const reply = startThreadReply(context, message.channel, replyThread(message));
  await reply.finish(formatReply({ kind: 'alt-text', outcomes, skipped: picked.overLimit.map(fileName), limit }));
}
