/**
 * Automatic alt text: in a channel a moderator opted in (`/glance alt-text on`), an image posted without a
 * description gets one reply: "Alt text (glance): …", one numbered line per image when there are several, at most
 * GLANCE_MAX_IMAGES_PER_MESSAGE images (the rest named as skipped), spoilered images' text spoilered. Images that
 * already have a description, bots' messages and users who opted out are skipped. Needs the MessageContent intent
 * (without it Discord sends other people's messages without their attachments).
 *
 * Nobody asked for this work, so it never posts only to say it failed: a request refused as a whole (busy, rate
 * limited, deadline, shutting down) is logged and nothing is posted; so is a message none of whose images could be
 * read. When at least one image got alt text, the others' problems are numbered lines of the same attributed reply.
 */
import type { Message } from 'discord.js';
import { PLATFORM, type DiscordAdapterContext } from './adapter-context.ts';
import { autoAltTextInForce } from './auto-alt-text-setting.ts';
import { settingChannels } from './conversation-key.ts';
import { NO_PINGS } from './discord-reply.ts';
import { GlanceError } from '../../engine/errors.ts';
import { isUnexpected } from '../shared/error-messages.ts';
import { pickImages } from './image-attachments.ts';
import { runImageJob, type ImageToRead } from './image-job.ts';
import { attachmentToRead } from './message-images.ts';
import { formatReply } from './reply-format.ts';
import { keepTyping } from './typing-keeper.ts';
import type { ImageOutcome } from '../shared/image-job.ts';

export function isAutoAltTextChannel(context: DiscordAdapterContext, message: Message): boolean {
  if (!message.guildId) return false;
  return autoAltTextInForce(context, settingChannels(message.channelId, message.channel)).on;
}

/** The images' outcomes, or undefined when the request was refused as a whole (logged). */
async function describeImages(context: DiscordAdapterContext, message: Message, images: ImageToRead[]): Promise<ImageOutcome<ImageToRead>[] | undefined> {
  const channel = message.channel;
  const stopTyping = 'sendTyping' in channel ? keepTyping(() => channel.sendTyping()) : () => {};
  try {
    return (await runImageJob(context, { images, userId: message.author.id, channelId: message.channelId })).outcomes;
  } catch (error) {
    const fields = { component: 'discord', channel: message.channelId, message: message.id, code: error instanceof GlanceError ? error.code : undefined };
    if (isUnexpected(error)) context.log?.error({ ...fields, err: error }, 'automatic alt text failed; nothing posted');
    else context.log?.info(fields, 'automatic alt text refused (nobody asked, so nothing is posted)');
    return undefined;
  } finally {
    stopTyping();
  }
}

/** Describes the message's undescribed images if the channel asked for it; resolves when the reply is sent (or not). */
export async function autoAltText(context: DiscordAdapterContext, message: Message): Promise<void> {
  if (message.author.bot || !isAutoAltTextChannel(context, message)) return;
  if (context.settings.isUserOptedOut(PLATFORM, message.author.id)) return;
  const limit = context.config.limits.maxImagesPerMessage;
  const picked = pickImages(message.attachments.values(), limit, { skipDescribed: true });
  if (picked.images.length === 0) return;
  const outcomes = await describeImages(context, message, picked.images.map((attachment) => attachmentToRead(context, attachment)));
  if (!outcomes) return;
  if (!outcomes.some((outcome) => 'text' in outcome)) {
    context.log?.info({ component: 'discord', channel: message.channelId, message: message.id, images: outcomes.length }, 'automatic alt text: no image could be read; nothing posted');
    return;
  }
  const text = formatReply({ kind: 'alt-text', outcomes, skipped: picked.overLimit.map((attachment) => attachment.name), limit });
  try {
    await message.reply({ content: text, allowedMentions: NO_PINGS });
  } catch (error) {
    context.log?.warn({ err: error, channel: message.channelId, message: message.id }, 'glance could not reply in this Discord channel');
  }
}
