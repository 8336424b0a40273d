/**
 * The images of the message a question replies to (in the same channel). A reply to one of glance's own messages
 * is about the image glance was answering: glance's message carries no image, so its reference (the message glance
 * answered) is followed; when that message has no image either and was itself a reply, its reply target is looked
 * at the same way, up to MAX_HOPS steps. Remembered images are used first (no REST call); otherwise the message is
 * fetched (fresh attachment links) and its images are remembered unless its author opted out, and used for this
 * question either way. [] when the replied-to message has none (the question then falls back to the recent image).
 */
import type { Message } from 'discord.js';
import type { RememberedImage } from '../../src/conversation/conversation-manager.ts';
import type { DiscordAdapterContext } from './adapter-context.ts';
import { conversationKey } from './conversation-key.ts';
import { rememberMessageImages, rememberedImagesOf } from './message-images.ts';

/** How many of glance's messages a chain of replies is followed through. */
const MAX_HOPS = 3;

/** The id of the message `message` replies to, when it is in the same channel. */
function sameChannelReference(message: Message): string | undefined {
  const reference = message.reference;
  return reference?.messageId !== undefined && reference.channelId === message.channelId ? reference.messageId : undefined;
}

async function messageById(context: DiscordAdapterContext, question: Message, id: string, botId: string): Promise<Message | undefined> {
  const cached = question.channel.messages.cache.get(id);
  if (cached?.author.id === botId) return cached; // glance's own: no images, and what it replied to never changes
  try {
    return await question.channel.messages.fetch({ message: id, force: true });
  } catch (error) {
    context.log?.debug({ err: error, message: id }, 'the replied-to message could not be fetched');
    return undefined;
  }
}

/** The message's images: remembered ones, else (fetching it) the ones it carries. */
async function imagesOf(context: DiscordAdapterContext, question: Message, id: string, botId: string): Promise<{ images: RememberedImage[]; message?: Message }> {
  const key = conversationKey(question.guildId, question.channelId, question.channel);
  const remembered = rememberedImagesOf(context, key, id);
  if (remembered.length > 0) return { images: remembered };
  const message = await messageById(context, question, id, botId);
  return { images: message ? rememberMessageImages(context, message) : [], message };
}

export async function repliedImages(context: DiscordAdapterContext, question: Message, botId: string): Promise<RememberedImage[]> {
  let target = sameChannelReference(question);
  for (let hop = 0; target !== undefined && hop < MAX_HOPS; hop++) {
    const replied = await imagesOf(context, question, target, botId);
    if (replied.images.length > 0 || replied.message?.author.id !== botId) return replied.images;
    const answeredId = sameChannelReference(replied.message);
    if (answeredId === undefined) return [];
    const answered = await imagesOf(context, question, answeredId, botId);
    if (answered.images.length > 0 || !answered.message) return answered.images;
    target = sameChannelReference(answered.message);
  }
  return [];
}
