/**
 * A Discord message's image attachments as the conversation manager remembers them (loaded lazily from the CDN
 * URL when a later question needs them) and as image jobs read them.
 */
import type { Attachment, Message } from 'discord.js';
import type { ConversationKey, RememberedImage } from '../../src/conversation/conversation-manager.ts';
import type { DiscordAdapterContext } from './adapter-context.ts';
import { PLATFORM } from './adapter-context.ts';
import { tooLarge } from '../shared/image-limits.ts';
import { conversationKey } from './conversation-key.ts';
import { existingAltText, isImageCandidate } from './image-attachments.ts';
import { spoilerName, type ImageToRead } from './image-job.ts';
import { downloaderWithRetry } from './expired-link-retry.ts';

export function imageCandidates(message: Message): Attachment[] {
  return [...message.attachments.values()].filter(isImageCandidate);
}

/**
 * One attachment of a message as the conversation manager remembers it. `message.refetch` fetches the message again
 * when its CDN link has expired by the time a question needs it. (Slash-command uploads are not messages and are
 * never remembered: interaction-images.ts.)
 */
export function rememberedImage(context: DiscordAdapterContext, attachment: Attachment, message: MessageOrigin): RememberedImage {
  const altText = existingAltText(attachment);
  const maxBytes = context.config.limits.maxImageBytes;
  const download = downloaderWithRetry(context, attachment, message.refetch);
  return {
    messageId: message.id,
    authorId: message.authorId,
    postedAt: message.postedAt,
    name: attachment.name,
    ...(altText === undefined ? {} : { altText }),
    load: async () => {
      if (attachment.size > maxBytes) throw tooLarge(attachment.size, maxBytes);
      return download();
    },
  };
}

/** What rememberedImage needs of a message: its identity, and a refetch (REST, fresh attachment links). */
export interface MessageOrigin {
  id: string;
  authorId: string;
  postedAt: number;
  refetch: () => Promise<Message>;
}

export function messageOrigin(message: Message): MessageOrigin {
  return { id: message.id, authorId: message.author.id, postedAt: message.createdTimestamp, refetch: () => message.fetch(true) };
}

/** The message's images for the request at hand, in posting order (not remembered). */
export function messageImages(context: DiscordAdapterContext, message: Message): RememberedImage[] {
  return imageCandidates(message).map((attachment) => rememberedImage(context, attachment, messageOrigin(message)));
}

/**
 * Remembers the message's images for later questions unless its author opted out, and returns them either way: a
 * request about this very message (its own images, the message it replies to) uses them even when they are not
 * remembered. In posting order.
 */
export function rememberMessageImages(context: DiscordAdapterContext, message: Message): RememberedImage[] {
  const images = messageImages(context, message);
  if (!context.settings.isUserOptedOut(PLATFORM, message.author.id)) {
    context.conversations.remember(conversationKey(message.guildId, message.channelId, message.channel), images);
  }
  return images;
}

/** The images remembered for the message `messageId` in the conversation `key` ([] when none). */
export function rememberedImagesOf(context: DiscordAdapterContext, key: ConversationKey, messageId: string): RememberedImage[] {
  try {
    const resolved = context.conversations.resolve({ key, messageId });
    return resolved.source === 'message' ? resolved.images : [];
  } catch {
    return []; // nothing remembered in this conversation
  }
}

/** A remembered image to read now; the conversation manager's record learns its content hash once read. */
export function toRead(image: RememberedImage): ImageToRead {
  const name = image.name ?? 'image';
  return { name, spoiler: spoilerName(name), load: image.load, noteHash: (imageHash) => (image.imageHash = imageHash) };
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
