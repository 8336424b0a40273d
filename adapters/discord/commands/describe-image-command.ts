/** Message context-menu "Describe image": alt text for the target message's images (works without MessageContent). */
import type { MessageContextMenuCommandInteraction } from 'discord.js';
import type { DiscordAdapterContext } from '../adapter-context.ts';
import { answerInteraction, replyPrivately } from '../interaction-reply.ts';
import { withinLimit } from '../image-job.ts';
import { attachmentToRead } from '../message-images.ts';
import { targetImages } from './interaction-images.ts';

export async function describeImageCommand(context: DiscordAdapterContext, interaction: MessageContextMenuCommandInteraction): Promise<void> {
  let attachments;
  try {
    attachments = targetImages(context, interaction.targetMessage, interaction.user.id);
  } catch (error) {
    await replyPrivately(context, interaction, error);
    return;
  }
  const limit = context.config.limits.maxImagesPerMessage;
  const { images, skipped } = withinLimit(
    attachments.map((attachment) => attachmentToRead(context, attachment)),
    limit,
  );
  await answerInteraction(context, interaction, 'alt-text', { images, userId: interaction.user.id, channelId: interaction.channelId }, '', { names: skipped, limit });
}
