/**
 * A Discord message's image attachments as the conversation manager remembers them (loaded lazily from the CDN
 * URL when a later question needs them) and as image jobs read them.
 */
import type { Attachment, Message } from 'discord.js';
import type { RememberedImage } from '../../src/conversation/conversation-manager.ts';
import type { DiscordAdapterContext } from './adapter-context.ts';
import { PLATFORM } from './adapter-context.ts';
import { tooLarge } from '../shared/image-limits.ts';
import { conversationKey } from './conversation-key.ts';
import { existingAltText, isImageCandidate } from './image-attachments.ts';
import { spoilerName, type ImageToRead } from './image-job.ts';

export function imageCandidates(message: Message): Attachment[] {
  return [...message.attachments.values()].filter(isImageCandidate);
}

export function rememberedImage(context: DiscordAdapterContext, attachment: Attachment, message: { id: string; authorId: string; postedAt: number }): RememberedImage {
  const altText = existingAltText(attachment);
  const maxBytes = context.config.limits.maxImageBytes;
  return {
    messageId: message.id,
    authorId: message.authorId,
    postedAt: message.postedAt,
    name: attachment.name,
    ...(altText === undefined ? {} : { altText }),
    load: async () => {
      if (attachment.size > maxBytes) throw tooLarge(attachment.size, maxBytes);
      return context.download(attachment.url);
    },
  };
}

/** Remembers the message's images (unless its author opted out); returns them, in posting order. */
export function rememberMessageImages(context: DiscordAdapterContext, message: Message): RememberedImage[] {
  if (context.settings.isUserOptedOut(PLATFORM, message.author.id)) return [];
  const images = imageCandidates(message).map((attachment) =>
    rememberedImage(context, attachment, { id: message.id, authorId: message.author.id, postedAt: message.createdTimestamp }),
  );
  context.conversations.remember(conversationKey(message.guildId, message.channelId, message.channel), images);
  return images;
}

export function toRead(image: RememberedImage): ImageToRead {
  const name = image.name ?? 'image';
  return { name, spoiler: spoilerName(name), load: image.load };
}

/** An attachment to read now; one whose reported size is above the limit is refused without downloading. */
export function attachmentToRead(context: DiscordAdapterContext, attachment: Attachment): ImageToRead {
  const maxBytes = context.config.limits.maxImageBytes;
  return {
    name: attachment.name,
    spoiler: attachment.spoiler || spoilerName(attachment.name),
    load: async () => {
      if (attachment.size > maxBytes) throw tooLarge(attachment.size, maxBytes);
      return context.download(attachment.url);
    },
  };
}
