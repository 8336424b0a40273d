/**
 * Message context-menu "Ask about image": opens a modal asking for the question; the modal's submit answers it
 * about the target message's images (remembered when the menu was used; fetched again if not remembered).
 */
import {
  ActionRowBuilder,
  ModalBuilder,
  TextInputBuilder,
  TextInputStyle,
  type MessageContextMenuCommandInteraction,
  type ModalSubmitInteraction,
} from 'discord.js';
import { ErrorCode, GlanceError } from '../../../engine/errors.ts';
import type { DiscordAdapterContext } from '../adapter-context.ts';
import { conversationKey } from '../conversation-key.ts';
import { answerInteraction, deferPublicly, replyPrivately } from '../interaction-reply.ts';
import { withinLimit, type ImageToRead } from '../image-job.ts';
import { attachmentToRead, rememberedImagesOf, toRead } from '../message-images.ts';
import { checkQuestion } from '../../shared/question-limit.ts';
import { consentedImages } from './consent.ts';
import { targetImages } from './interaction-images.ts';

export const ASK_MODAL_PREFIX = 'glance-ask:';
export const QUESTION_INPUT_ID = 'question';
/** Discord's limit on a text input. */
const MAX_TEXT_INPUT = 4000;

export async function askAboutImageCommand(context: DiscordAdapterContext, interaction: MessageContextMenuCommandInteraction): Promise<void> {
  try {
    targetImages(context, interaction.targetMessage, interaction.user.id);
    const input = new TextInputBuilder()
      .setCustomId(QUESTION_INPUT_ID)
      .setLabel('Your question about the image')
      .setStyle(TextInputStyle.Paragraph)
      .setRequired(true)
      .setMaxLength(Math.min(MAX_TEXT_INPUT, context.config.limits.maxQuestionChars));
    const modal = new ModalBuilder()
      .setCustomId(`${ASK_MODAL_PREFIX}${interaction.targetMessage.id}`)
      .setTitle('Ask about image')
      .addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(input));
    await interaction.showModal(modal);
  } catch (error) {
    await replyPrivately(context, interaction, error);
  }
}

/**
 * The target message's images: the remembered ones (consented), else the message fetched again from Discord
 * (forgotten since the menu was used, or never remembered because its author opted out: their own question about
 * it is still answered).
 */
async function targetImagesToRead(context: DiscordAdapterContext, interaction: ModalSubmitInteraction, targetId: string): Promise<ImageToRead[]> {
  const key = conversationKey(interaction.guildId, interaction.channelId!, interaction.channel);
  const remembered = rememberedImagesOf(context, key, targetId);
  if (remembered.length > 0) return consentedImages(context, remembered, interaction.user.id).map(toRead);
  const channel = interaction.channel;
  let target;
  try {
    if (channel && 'messages' in channel) target = await channel.messages.fetch({ message: targetId, force: true });
  } catch (error) {
    context.log?.debug({ err: error, message: targetId }, 'the target of "Ask about image" could not be fetched again');
  }
  if (!target) throw new GlanceError(ErrorCode.NoImage, 'The image of that message is no longer available (was it deleted?); use "Ask about image" on an image that is still there.');
  return targetImages(context, target, interaction.user.id).map((attachment) => attachmentToRead(context, attachment));
}

export async function askModalSubmit(context: DiscordAdapterContext, interaction: ModalSubmitInteraction): Promise<void> {
  let job;
  let skipped: string[];
  const limit = context.config.limits.maxImagesPerMessage;
  try {
    const targetId = interaction.customId.slice(ASK_MODAL_PREFIX.length);
    const question = interaction.fields.getTextInputValue(QUESTION_INPUT_ID).trim();
    checkQuestion(question, context.config.limits.maxQuestionChars);
    await deferPublicly(interaction); // finding the image may take a REST call: answer Discord's 3 s deadline first
    const limited = withinLimit(await targetImagesToRead(context, interaction, targetId), limit);
    skipped = limited.skipped;
    job = { images: limited.images, question, userId: interaction.user.id, channelId: interaction.channelId! };
  } catch (error) {
    await replyPrivately(context, interaction, error);
    return;
  }
  await answerInteraction(context, interaction, 'answer', job, '', { names: skipped, limit });
}
