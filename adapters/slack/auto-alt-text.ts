/**
 * Automatic alt text: in a channel where `/glance alt-text on` was run, a message with images gets one threaded
 * reply: "Alt text (glance): …", one numbered line per image when there are several, at most
 * GLANCE_MAX_IMAGES_PER_MESSAGE images (the rest named as skipped). Images that already have alt text (`alt_txt`),
 * bots' messages and users who opted out are skipped. Needs the message.channels / message.groups events (and the
 * bot in the channel).
 */
import { isUnexpected, userMessage } from '../shared/error-messages.ts';
import { replyThread } from './conversation-key.ts';
import type { SlackMessage } from './event-fields.ts';
import { runSlackJob } from './image-job.ts';
import { formatReply, plainText } from './reply-format.ts';
import { PLATFORM, type SlackAdapterContext } from './slack-context.ts';
import { fileLoader, fileName, pickImageFiles } from './slack-files.ts';
import { startThreadReply } from './thread-reply.ts';

/** Describes the message's images if its channel asked for it (files already completed); resolves when replied. */
export async function autoAltText(context: SlackAdapterContext, message: SlackMessage): Promise<void> {
  if (message.botId || message.channelType === 'im') return;
  if (!context.settings.isChannelAutoAltText(PLATFORM, message.channel)) return;
  if (context.settings.isUserOptedOut(PLATFORM, message.user)) return;
  const limit = context.config.limits.maxImagesPerMessage;
  const picked = pickImageFiles(message.files, limit, { skipDescribed: true });
  if (picked.images.length === 0) return;
  const reply = startThreadReply(context, message.channel, replyThread(message));
  let text: string;
  try {
    const { outcomes } = await runSlackJob(context, {
      images: picked.images.map((file) => ({ name: fileName(file), load: fileLoader(context, file) })),
      userId: message.user,
      channelId: message.channel,
    });
    const skipped = picked.overLimit.map(fileName);
    if (outcomes.length === 1 && 'error' in outcomes[0] && skipped.length === 0) text = plainText(outcomes[0].error);
    else text = formatReply({ kind: 'alt-text', outcomes, skipped, limit });
  } catch (error) {
    if (isUnexpected(error)) context.log?.error({ component: 'slack', err: error, channel: message.channel }, 'automatic alt text failed');
    text = plainText(userMessage(error));
  }
  await reply.finish(text);
}
