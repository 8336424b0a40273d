/**
 * Automatic alt text: in a channel a moderator opted in (`/glance alt-text on`), an image posted without a
 * description gets one reply: "Alt text (glance): …", one numbered line per image when there are several, at most
 * GLANCE_MAX_IMAGES_PER_MESSAGE images (the rest named as skipped), spoilered images' text spoilered. Images that
 * already have a description, bots' messages and users who opted out are skipped. Needs the MessageContent intent
 * (without it Discord sends other people's messages without their attachments).
 */
import type { Message } from 'discord.js';
import { PLATFORM, type DiscordAdapterContext } from './adapter-context.ts';
import { settingChannels } from './conversation-key.ts';
import { userMessage, isUnexpected } from '../shared/error-messages.ts';
import { pickImages } from './image-attachments.ts';
import { runImageJob } from './image-job.ts';
import { attachmentToRead } from './message-images.ts';
import { formatReply } from './reply-format.ts';
import { startReply } from './discord-reply.ts';

export function isAutoAltTextChannel(context: DiscordAdapterContext, message: Message): boolean {
  if (!message.guildId) return false;
  return settingChannels(message.channelId, message.channel).some((id) => context.settings.isChannelAutoAltText(PLATFORM, id));
}

/** Describes the message's undescribed images if the channel asked for it; resolves when the reply is sent. */
export async function autoAltText(context: DiscordAdapterContext, message: Message): Promise<void> {
  if (message.author.bot || !isAutoAltTextChannel(context, message)) return;
  if (context.settings.isUserOptedOut(PLATFORM, message.author.id)) return;
  const limit = context.config.limits.maxImagesPerMessage;
  const picked = pickImages(message.attachments.values(), limit, { skipDescribed: true });
  if (picked.images.length === 0) return;
  const reply = startReply(context, message);
  let text: string;
  try {
    const { outcomes } = await runImageJob(context, {
      images: picked.images.map((attachment) => attachmentToRead(context, attachment)),
      userId: message.author.id,
      channelId: message.channelId,
    });
    const skipped = picked.overLimit.map((attachment) => attachment.name);
    if (outcomes.length === 1 && 'error' in outcomes[0] && skipped.length === 0) text = outcomes[0].error;
    else text = formatReply({ kind: 'alt-text', outcomes, skipped, limit });
  } catch (error) {
    if (isUnexpected(error)) context.log?.error({ err: error, channel: message.channelId }, 'automatic alt text failed');
    text = userMessage(error);
  }
  await reply.finish(text);
}
