/**
 * Questions in messages: a message that @mentions glance, replies to one of its messages, or is a direct message.
 * The text (mention removed) is the question; no text = a caption. The image is the one on the message, on the
 * message it replies to, or the recent one in the thread/channel (the conversation manager decides). Images of
 * users who opted out are not looked at unless they asked themselves.
 */
import type { Message } from 'discord.js';
import type { DiscordAdapterContext } from './adapter-context.ts';
import { consentedImages } from './commands/consent.ts';
import { conversationKey } from './conversation-key.ts';
import { isUnexpected, userMessage } from '../shared/error-messages.ts';
import { runImageJob } from './image-job.ts';
import { rememberMessageImages, toRead } from './message-images.ts';
import { startReply } from './discord-reply.ts';
import { formatPartial, formatReply } from './reply-format.ts';
import { checkQuestion } from '../shared/question-limit.ts';

/** True when the message is addressed to glance (DM, @mention, or a reply to glance's message). */
export function isAddressedToBot(message: Message, botId: string): boolean {
  if (!message.guildId) return true;
  if (message.mentions.users.has(botId)) return true;
  if (message.mentions.repliedUser?.id === botId) return true;
  const referenced = message.reference?.messageId;
  return referenced !== undefined && message.channel.messages.cache.get(referenced)?.author.id === botId;
}

export function questionText(content: string, botId: string): string {
  return content.replace(new RegExp(`<@!?${botId}>`, 'g'), ' ').replace(/\s+/g, ' ').trim();
}

async function repliedImages(context: DiscordAdapterContext, message: Message): Promise<void> {
  const referenced = message.reference?.messageId;
  if (!referenced || message.reference?.channelId !== message.channelId) return;
  const key = conversationKey(message.guildId, message.channelId, message.channel);
  try {
    if (context.conversations.resolve({ key, messageId: referenced }).source === 'message') return; // already remembered
  } catch {
    // nothing remembered in this conversation
  }
  try {
    const target = await message.channel.messages.fetch({ message: referenced, force: true });
    rememberMessageImages(context, target);
  } catch (error) {
    context.log?.debug({ err: error, message: referenced }, 'the replied-to message could not be fetched');
  }
}

export async function answerMessageQuestion(context: DiscordAdapterContext, message: Message, botId: string): Promise<void> {
  const question = questionText(message.content, botId);
  const reply = startReply(context, message);
  let text: string;
  try {
    checkQuestion(question, context.config.limits.maxQuestionChars);
    const attached = rememberMessageImages(context, message);
    await repliedImages(context, message);
    const key = conversationKey(message.guildId, message.channelId, message.channel);
    const resolved = context.conversations.resolve({
      key,
      messageId: message.id,
      attached: attached.length > 0 ? attached : undefined,
      replyToMessageId: message.reference?.messageId,
    });
    const images = consentedImages(context, resolved.images, message.author.id).slice(0, context.config.limits.maxImagesPerMessage);
    const reads = images.map(toRead);
    const kind = question === '' ? 'caption' : 'answer';
    const { outcomes } = await runImageJob(context, {
      images: reads,
      question,
      userId: message.author.id,
      channelId: message.channelId,
      onPartial: (soFar) => reply.update(formatPartial(kind, soFar, reads[0].spoiler)),
    });
    text = outcomes.length === 1 && 'error' in outcomes[0] ? outcomes[0].error : formatReply({ kind, outcomes });
  } catch (error) {
    if (isUnexpected(error)) context.log?.error({ err: error, channel: message.channelId }, 'answering a Discord message failed');
    text = userMessage(error);
  }
  await reply.finish(text);
}
