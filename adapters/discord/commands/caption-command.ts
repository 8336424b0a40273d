/** `/caption image:<attachment> [length:short|detailed] [prompt]` (generation-presets.ts says what the lengths are). */
import type { ChatInputCommandInteraction } from 'discord.js';
import type { DiscordAdapterContext } from '../adapter-context.ts';
import { CAPTION_PRESETS, type CaptionLength } from '../generation-presets.ts';
import { answerInteraction, replyPrivately } from '../interaction-reply.ts';
import { attachmentToRead } from '../message-images.ts';
import { checkQuestion } from '../../shared/question-limit.ts';
import { attachmentOption } from './interaction-images.ts';

export async function captionCommand(context: DiscordAdapterContext, interaction: ChatInputCommandInteraction): Promise<void> {
  let job;
  let prefix = '';
  try {
    const attachment = attachmentOption(context, interaction, 'image', true)!;
    const length = (interaction.options.getString('length') ?? 'short') as CaptionLength;
    const prompt = interaction.options.getString('prompt')?.trim() ?? '';
    checkQuestion(prompt, context.config.limits.maxQuestionChars);
    if (prompt) prefix = `${prompt} `;
    job = {
      images: [attachmentToRead(context, attachment)],
      userId: interaction.user.id,
      channelId: interaction.channelId,
      generation: CAPTION_PRESETS[length] ?? CAPTION_PRESETS.short,
      ...(prompt ? { question: prompt, rawPrompt: true } : {}),
    };
  } catch (error) {
    await replyPrivately(context, interaction, error);
    return;
  }
  await answerInteraction(context, interaction, 'caption', job, prefix);
}
