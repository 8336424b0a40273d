/**
 * Questions in messages: a message that @mentions glance, replies to one of its messages, or is a direct message.
 * The text (mention removed) is the question; no text = a caption. The images are the message's own (used even
 * when they are not remembered, e.g. the asker opted out), else those of the message it replies to (through
 * glance's own messages to the image glance answered about: reply-target-images.ts), else the recent one in the
 * thread/channel (the conversation manager decides); at most GLANCE_MAX_IMAGES_PER_MESSAGE, the rest named as
 * skipped. Images of users who opted out are not looked at unless they asked themselves. Without the Message
 * Content intent a reply that does not mention glance arrives blank: glance says to mention it.
 */
import type { Message } from 'discord.js';
import type { DiscordAdapterContext } from './adapter-context.ts';
import { consentedImages } from './commands/consent.ts';
import { conversationKey } from './conversation-key.ts';
import { isUnexpected, userMessage } from '../shared/error-messages.ts';
import { runImageJob, withinLimit } from './image-job.ts';
import { rememberMessageImages, toRead } from './message-images.ts';
import { repliedImages } from './reply-target-images.ts';
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

/**
 * True when Discord sent the message blanked: without the Message Content intent a guild message that does not
 * @mention glance (a reply to glance with the reply ping turned off) arrives without its text and attachments.
 */
export function isBlankedForIntent(context: DiscordAdapterContext, message: Message, botId: string): boolean {
  return (
    !context.config.discord.messageContent &&
    message.guildId !== null &&
    !message.mentions.users.has(botId) &&
    message.content === '' &&
    message.attachments.size === 0
  );
}

/** What glance says to a message it cannot read (isBlankedForIntent). */
export function mentionNeededMessage(botId: string): string {
  return `glance cannot read replies that do not @mention it here. Write <@${botId}> and your question in your message, or use "Ask about image" on the image's message (right-click → Apps).`;
}

export async function answerMessageQuestion(context: DiscordAdapterContext, message: Message, botId: string): Promise<void> {
  const question = questionText(message.content, botId);
  const reply = startReply(context, message);
  if (isBlankedForIntent(context, message, botId)) {
    await reply.finish(mentionNeededMessage(botId));
    return;
  }
  let text: string;
  try {
    checkQuestion(question, context.config.limits.maxQuestionChars);
    const attached = rememberMessageImages(context, message);
    const explicit = attached.length > 0 ? attached : await repliedImages(context, message, botId);
    const key = conversationKey(message.guildId, message.channelId, message.channel);
    const found = explicit.length > 0 ? explicit : context.conversations.resolve({ key, messageId: message.id }).images;
    const limit = context.config.limits.maxImagesPerMessage;
    const { images: reads, skipped } = withinLimit(consentedImages(context, found, message.author.id).map(toRead), limit);
    const kind = question === '' ? 'caption' : 'answer';
    const { outcomes } = await runImageJob(context, {
      images: reads,
      question,
      userId: message.author.id,
      channelId: message.channelId,
      onPartial: (soFar) => reply.update(formatPartial(kind, soFar, reads[0].spoiler)),
    });
    const only = outcomes.length === 1 && skipped.length === 0 ? outcomes[0] : undefined;
    text = only && 'error' in only ? only.error : formatReply({ kind, outcomes, skipped, limit });
  } catch (error) {
    if (isUnexpected(error)) context.log?.error({ err: error, channel: message.channelId }, 'answering a Discord message failed');
    text = userMessage(error);
  }
  await reply.finish(text);
}
