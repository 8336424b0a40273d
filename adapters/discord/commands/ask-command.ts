/** `/ask question:<text> [image:<attachment>]`: without an attachment the conversation manager finds the image. */
import type { ChatInputCommandInteraction } from 'discord.js';
import type { DiscordAdapterContext } from '../adapter-context.ts';
import { conversationKey } from '../conversation-key.ts';
import { answerInteraction, replyPrivately } from '../interaction-reply.ts';
import { withinLimit, type ImageToRead } from '../image-job.ts';
import { attachmentToRead, toRead } from '../message-images.ts';
import { checkQuestion } from '../../shared/question-limit.ts';
import { attachmentOption } from './interaction-images.ts';
import { consentedImages } from './consent.ts';

export async function askCommand(context: DiscordAdapterContext, interaction: ChatInputCommandInteraction): Promise<void> {
  let images: ImageToRead[];
  let skipped: string[] = [];
  let question: string;
  const limit = context.config.limits.maxImagesPerMessage;
  try {
    question = interaction.options.getString('question', true).trim();
    checkQuestion(question, context.config.limits.maxQuestionChars);
    const attachment = attachmentOption(context, interaction, 'image', false);
    if (attachment) images = [attachmentToRead(context, attachment)];
    else {
      const key = conversationKey(interaction.guildId, interaction.channelId, interaction.channel);
      const resolved = context.conversations.resolve({ key, messageId: interaction.id });
      ({ images, skipped } = withinLimit(consentedImages(context, resolved.images, interaction.user.id).map(toRead), limit));
    }
  } catch (error) {
    await replyPrivately(context, interaction, error);
    return;
  }
  await answerInteraction(context, interaction, 'answer', { images, question, userId: interaction.user.id, channelId: interaction.channelId }, '', { names: skipped, limit });
}
