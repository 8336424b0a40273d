/**
 * The message shortcut "Describe image" (callback_id `describe_image`): alt text for the chosen message's images,
 * posted in that message's thread (streamed). Acknowledged at once; when glance cannot post in the channel (not a
 * member) the text comes back privately through the shortcut's response_url instead. A message without an image,
 * or whose author opted out, gets a private explanation.
 */
import { isUnexpected, userMessage } from '../shared/error-messages.ts';
import { consentedImages } from './consent.ts';
import { replyThread } from './conversation-key.ts';
import { parseMessage, teamOf } from './event-fields.ts';
import type { Respond } from './glance-command.ts';
import { runSlackJob } from './image-job.ts';
import { rememberMessageImages, toRead } from './message-images.ts';
import { formatPartial, formatReply, plainText } from './reply-format.ts';
import type { SlackAdapterContext } from './slack-context.ts';
import { completeFiles } from './slack-files.ts';
import { startThreadReply } from './thread-reply.ts';

export const DESCRIBE_IMAGE_CALLBACK_ID = 'describe_image';
export const NO_IMAGE_ON_MESSAGE = 'That message has no image glance can describe.';

export async function describeImageShortcut(context: SlackAdapterContext, shortcut: unknown, respond: Respond | undefined): Promise<void> {
  const payload = shortcut as { channel?: { id?: unknown }; user?: { id?: unknown }; message?: unknown } | null;
  const channel = typeof payload?.channel?.id === 'string' ? payload.channel.id : undefined;
  const askerId = typeof payload?.user?.id === 'string' ? payload.user.id : undefined;
  const parsed = channel ? parseMessage(payload?.message, channel) : undefined;
  if (!parsed || !askerId) {
    context.log?.warn({ component: 'slack', shortcut: DESCRIBE_IMAGE_CALLBACK_ID }, 'a message shortcut without channel, user or message was ignored');
    return;
  }
  const privately = async (text: string) => {
    try {
      await respond?.({ text, response_type: 'ephemeral' });
    } catch (error) {
      context.log?.warn({ component: 'slack', err: error }, 'the shortcut’s response_url did not take the answer');
    }
  };
  // Remembered too (unless its author opted out), so a later question in the thread finds it.
  const found = rememberMessageImages(context, teamOf(shortcut, context.teamId), { ...parsed, files: await completeFiles(context, parsed.files) });
  if (found.length === 0) {
    await privately(NO_IMAGE_ON_MESSAGE);
    return;
  }
  let images;
  try {
    images = consentedImages(context, found, askerId).slice(0, context.config.limits.maxImagesPerMessage);
  } catch (error) {
    await privately(plainText(userMessage(error)));
    return;
  }
  const reply = startThreadReply(context, parsed.channel, replyThread(parsed));
  let text: string;
  try {
    const { outcomes } = await runSlackJob(context, {
      images: images.map(toRead),
      userId: askerId,
      channelId: parsed.channel,
      onPartial: (soFar) => reply.update(formatPartial('alt-text', soFar)),
    });
    text = outcomes.length === 1 && 'error' in outcomes[0] ? plainText(outcomes[0].error) : formatReply({ kind: 'alt-text', outcomes });
  } catch (error) {
    if (isUnexpected(error)) context.log?.error({ component: 'slack', err: error, channel: parsed.channel }, 'Describe image failed');
    text = plainText(userMessage(error));
  }
  await reply.finish(text);
  if (reply.ts === undefined) await privately(text);
}
